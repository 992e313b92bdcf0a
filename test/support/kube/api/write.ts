// Create and update with the real registry's rules: namespace and name checks, optimistic
// concurrency on resourceVersion, status subresource separation, generation, finalizers.
import { alreadyExists, badRequest, conflict, invalid, notFound, STALE } from '../errors.ts';
import type { StatusCause } from '../errors.ts';
import type { ResourceType } from '../resources/types.ts';
import { builtinTypeName, hasModel, pruneBuiltin } from '../schema/builtin-fields.ts';
import { groupResource, groupVersion } from '../resources/types.ts';
import type { KubeObject } from '../types.ts';
import { clone, isRecord, jsonEqual } from '../types.ts';
import type { Ctx } from './context.ts';
import { checkNamespace, present, storageKey } from './context.ts';
import { afterDelete, afterWrite, beforeCreate, crdCauses, isCrd } from './hooks.ts';
import { initMeta, keepMeta, labelCauses, nameCauses, nameRule } from './meta.ts';

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: 'status';
  /** How unknown fields are reported: Ignore, Warn (the default) or Strict (400). */
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  /** Collects the Warning header texts of the request. */
  warnings?: string[];
}

/** Checks apiVersion/kind/namespace of a request body and returns a copy shaped as `rt`. */
export function normalizeBody(rt: ResourceType, ns: string, body: unknown): KubeObject {
  if (!isRecord(body)) throw badRequest('the body of the request was in an unknown format');
  const gv = groupVersion(rt);
  if (body.apiVersion !== undefined && body.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (body.kind !== undefined && body.kind !== rt.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${rt.kind})`);
  }
  const obj = clone(body) as KubeObject;
  obj.apiVersion = gv;
  obj.kind = rt.kind;
  if (!isRecord(obj.metadata)) obj.metadata = {};
  if (rt.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = ns;
  } else {
    delete obj.metadata.namespace;
  }
  return obj;
}

function validateOrThrow(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions, extra: StatusCause[] = []): void {
  const unknown: string[] = [];
  if (!rt.custom) {
    const type = builtinTypeName(rt.group, rt.version, rt.kind);
    if (hasModel(type)) pruneBuiltin(obj, type, unknown);
  }
  const causes = [...extra, ...labelCauses(obj.metadata.labels), ...(rt.prepare ? rt.prepare(obj, old, unknown) : [])];
  if (unknown.length > 0 && opts.fieldValidation === 'Strict') {
    const list = unknown.map((f) => `unknown field "${f}"`);
    throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${list.join(', ')}`);
  }
  if (opts.fieldValidation !== 'Ignore') for (const f of unknown) opts.warnings?.push(`unknown field "${f}"`);
  if (isCrd(rt)) causes.push(...crdCauses(obj));
  if (causes.length > 0) throw invalid(rt.group, rt.kind, obj.metadata.name ?? '', causes);
}

export function create(ctx: Ctx, rt: ResourceType, ns: string, body: unknown, opts: WriteOptions = {}): KubeObject {
  const obj = normalizeBody(rt, ns, body);
  if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  checkNamespace(ctx, rt, ns);
  initMeta(obj, rt.generation);
  const nameErr = nameCauses(obj.metadata.name, nameRule(rt.group, rt.plural));
  if (nameErr.length > 0) throw invalid(rt.group, rt.kind, obj.metadata.name ?? '', nameErr);
  const name = obj.metadata.name!;
  if (ctx.store.get(storageKey(rt), rt.namespaced ? ns : '', name)) throw alreadyExists(groupResource(rt), name);
  // A status subresource means status is written only through it; a create carries none.
  if (rt.status) delete obj.status;
  beforeCreate(rt, obj);
  validateOrThrow(rt, obj, undefined, opts);
  if (opts.dryRun) return present(obj, rt);
  const stored = ctx.store.put(storageKey(rt), obj);
  afterWrite(ctx, rt, stored);
  return present(stored, rt);
}

function withoutMetaAndStatus(obj: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...obj };
  delete rest.metadata;
  delete rest.status;
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}

function nextGeneration(rt: ResourceType, next: KubeObject, old: KubeObject): number | undefined {
  if (!rt.generation) return undefined;
  const prev = old.metadata.generation ?? 1;
  const changed = rt.generationOnAnyChange
    ? !jsonEqual(withoutMetaAndStatus(next), withoutMetaAndStatus(old))
    : !jsonEqual(next.spec, old.spec);
  return changed ? prev + 1 : prev;
}

/**
 * Replaces a stored object. `body` is the full new object (after a patch was applied, if
 * any); its metadata.resourceVersion, when set, must match the stored one.
 */
export function update(ctx: Ctx, rt: ResourceType, ns: string, name: string, body: unknown, opts: WriteOptions = {}): KubeObject {
  const key = storageKey(rt);
  const old = ctx.store.get(key, rt.namespaced ? ns : '', name);
  const incoming = normalizeBody(rt, ns, body);
  if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
    throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (!old) {
    if (rt.allowCreateOnUpdate && !opts.subresource) {
      incoming.metadata.name = name;
      delete incoming.metadata.resourceVersion;
      return create(ctx, rt, ns, incoming, opts);
    }
    throw notFound(groupResource(rt), name);
  }
  const rv = incoming.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(groupResource(rt), name, STALE);
  if ((rv === undefined || rv === '') && !rt.allowUnconditionalUpdate) {
    throw invalid(rt.group, rt.kind, name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
  }
  if (incoming.metadata.uid && incoming.metadata.uid !== old.metadata.uid) {
    throw conflict(groupResource(rt), name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
  }
  let next: KubeObject;
  if (opts.subresource === 'status') {
    next = clone(old);
    next.apiVersion = incoming.apiVersion;
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
  } else {
    next = incoming;
    keepMeta(next, old);
    if (rt.status) {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    }
  }
  const extra: StatusCause[] = [];
  if (old.metadata.deletionTimestamp) {
    const added = (next.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (added.length > 0) {
      extra.push({
        reason: 'FieldValueForbidden', field: 'metadata.finalizers',
        message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      });
    }
  }
  validateOrThrow(rt, next, old, opts, extra);
  const generation = nextGeneration(rt, next, old);
  if (generation !== undefined) next.metadata.generation = generation;
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  // Real servers skip no-op updates: no new resourceVersion, no watch event.
  if (jsonEqual({ ...next, apiVersion: old.apiVersion }, old)) return present(old, rt);
  if (opts.dryRun) return present(next, rt);
  if (old.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && (old.metadata.deletionGracePeriodSeconds ?? 0) === 0) {
    // Like the real store, the last finalizer's removal deletes without writing first.
    const gone = ctx.store.remove(key, rt.namespaced ? ns : '', name);
    afterDelete(ctx, rt, gone ?? next);
    return present(gone ?? next, rt);
  }
  const stored = ctx.store.put(key, next);
  afterWrite(ctx, rt, stored);
  return present(stored, rt);
}
