// Side effects of writing CRDs and Namespaces: a CRD's kinds are served as soon as it is
// stored (the real apiextensions controller establishes it a moment later), and a
// Namespace starts Active with the kubernetes finalizer.
import type { StatusCause } from '../errors.ts';
import { crdResourceTypes, crdStatus } from '../resources/crd.ts';
import type { ResourceType } from '../resources/types.ts';
import type { KubeObject } from '../types.ts';
import { isRecord, nowTime } from '../types.ts';
import type { Ctx } from './context.ts';

export function isCrd(rt: ResourceType): boolean {
  return rt.group === 'apiextensions.k8s.io' && rt.plural === 'customresourcedefinitions';
}

export function isNamespace(rt: ResourceType): boolean {
  return rt.group === '' && rt.plural === 'namespaces';
}

export function crdCauses(crd: KubeObject): StatusCause[] {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const causes: StatusCause[] = [];
  for (const f of ['plural', 'kind']) {
    if (typeof names[f] !== 'string' || names[f] === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `spec.names.${f}` });
  }
  if (typeof spec.group !== 'string' || spec.group === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.group' });
  const expected = `${String(names.plural)}.${String(spec.group)}`;
  if (crd.metadata.name !== expected) {
    causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${crd.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group` });
  }
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: must have exactly one version marked as storage version', field: 'spec.versions' });
  }
  return causes;
}

export function beforeCreate(rt: ResourceType, obj: KubeObject): void {
  if (isCrd(rt)) obj.status = crdStatus(obj, nowTime());
  if (isNamespace(rt)) {
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  }
}

export function afterWrite(ctx: Ctx, rt: ResourceType, obj: KubeObject): void {
  if (!isCrd(rt)) return;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  ctx.registry.setCustom(String(spec.group), String(names.plural), crdResourceTypes(obj));
}

export function afterDelete(ctx: Ctx, rt: ResourceType, obj: KubeObject): void {
  if (!isCrd(rt)) return;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  ctx.registry.removeCustom(String(spec.group), String(names.plural));
  ctx.store.removeAll(`${String(spec.group)}/${String(names.plural)}`);
}
