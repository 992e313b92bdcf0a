// The scale subresource (autoscaling/v1 Scale) for kinds that declare replica paths.
import { badRequest, notFound } from '../errors.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupResource } from '../resources/types.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { getPath, isRecord, setPath } from '../types.ts';
import type { Ctx } from './context.ts';
import { mustGet, present } from './context.ts';
import { update } from './write.ts';

export function toScale(rt: ResourceType, obj: KubeObject): JsonObject {
  if (!rt.scale) throw notFound(groupResource(rt), obj.metadata.name ?? '');
  const m = obj.metadata;
  const status: JsonObject = { replicas: Number(getPath(obj, rt.scale.statusReplicasPath) ?? 0) };
  if (rt.scale.labelSelectorPath) {
    const sel = getPath(obj, rt.scale.labelSelectorPath);
    if (typeof sel === 'string') status.selector = sel;
  }
  if (!rt.custom && isRecord(obj.spec) && isRecord(obj.spec.selector) && isRecord(obj.spec.selector.matchLabels)) {
    status.selector = Object.entries(obj.spec.selector.matchLabels).map(([k, v]) => `${k}=${String(v)}`).join(',');
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(getPath(obj, rt.scale.specReplicasPath) ?? 0) },
    status,
  };
}

export function getScale(ctx: Ctx, rt: ResourceType, ns: string, name: string): JsonObject {
  return toScale(rt, mustGet(ctx, rt, ns, name));
}

export function updateScale(ctx: Ctx, rt: ResourceType, ns: string, name: string, body: unknown, dryRun = false): JsonObject {
  if (!rt.scale) throw notFound(groupResource(rt), name);
  if (!isRecord(body) || !isRecord(body.spec) || typeof body.spec.replicas !== 'number') {
    throw badRequest('Scale.spec.replicas must be a number');
  }
  const current = present(mustGet(ctx, rt, ns, name), rt);
  const meta = isRecord(body.metadata) ? body.metadata : {};
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') current.metadata.resourceVersion = meta.resourceVersion;
  setPath(current, rt.scale.specReplicasPath, body.spec.replicas);
  return toScale(rt, update(ctx, rt, ns, name, current, { dryRun }));
}
