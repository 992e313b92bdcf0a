// Deletion as the generic registry does it: preconditions, propagation finalizers
// (orphan, foregroundDeletion), finalizers holding the object with a deletionTimestamp,
// graceful deletion of pods that a kubelet runs, and namespaces terminating first.
import { conflict } from '../errors.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupResource } from '../resources/types.ts';
import type { KubeObject, JsonObject } from '../types.ts';
import { clone, isRecord, nowTime } from '../types.ts';
import type { Ctx } from './context.ts';
import { mustGet, present, storageKey } from './context.ts';
import { afterDelete, isNamespace } from './hooks.ts';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** The object still exists, now with a deletionTimestamp. */
  pending: boolean;
  body: JsonObject;
}

function isPod(rt: ResourceType): boolean {
  return rt.group === '' && rt.plural === 'pods';
}

function successStatus(rt: ResourceType, obj: KubeObject): JsonObject {
  const details: JsonObject = { name: obj.metadata.name, kind: rt.plural, uid: obj.metadata.uid };
  if (rt.group) details.group = rt.group;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export function deleteObject(ctx: Ctx, rt: ResourceType, ns: string, name: string, opts: DeleteOptions = {}): DeleteResult {
  const key = storageKey(rt);
  const scopeNs = rt.namespaced ? ns : '';
  const old = mustGet(ctx, rt, ns, name);
  const gr = groupResource(rt);
  const pre = opts.preconditions ?? {};
  if (pre.uid && pre.uid !== old.metadata.uid) {
    throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`);
  }
  const next = clone(old);
  const m = next.metadata;
  const finalizers = [...(m.finalizers ?? [])];
  if (!m.deletionTimestamp) {
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  }
  if (finalizers.length > 0) m.finalizers = finalizers;

  if (isNamespace(rt)) {
    // The namespace controller empties it, then removes it (see controllers/namespaces.ts).
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = nowTime();
      m.deletionGracePeriodSeconds = 0;
      next.status = { ...(isRecord(next.status) ? next.status : {}), phase: 'Terminating' };
    }
    return pendingWrite(ctx, rt, key, old, next, opts);
  }

  const grace = podGrace(rt, old, opts);
  if (grace > 0) {
    const deadline = new Date(Date.now() + grace * 1000);
    const currentDeadline = m.deletionTimestamp ? Date.parse(m.deletionTimestamp) : Infinity;
    // A second delete may only shorten the grace period.
    if (deadline.getTime() < currentDeadline) {
      m.deletionTimestamp = nowTime(deadline);
      m.deletionGracePeriodSeconds = grace;
      if (m.generation !== undefined && !old.metadata.deletionTimestamp) m.generation++;
    }
    return pendingWrite(ctx, rt, key, old, next, opts);
  }

  if (finalizers.length > 0) {
    if (!m.deletionTimestamp || (m.deletionGracePeriodSeconds ?? 0) > 0) {
      m.deletionTimestamp = m.deletionTimestamp ?? nowTime();
      if (m.generation !== undefined && !old.metadata.deletionTimestamp) m.generation++;
      m.deletionGracePeriodSeconds = 0;
    }
    return pendingWrite(ctx, rt, key, old, next, opts);
  }

  if (opts.dryRun) return { pending: false, body: rt.returnDeletedObject ? present(old, rt) : successStatus(rt, old) };
  const gone = ctx.store.remove(key, scopeNs, name) ?? old;
  afterDelete(ctx, rt, gone);
  return { pending: false, body: rt.returnDeletedObject ? present(gone, rt) : successStatus(rt, gone) };
}

/** Seconds a pod is given to terminate; 0 means delete now. Only pods bound to a node wait. */
function podGrace(rt: ResourceType, pod: KubeObject, opts: DeleteOptions): number {
  if (!isPod(rt)) return 0;
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const status = isRecord(pod.status) ? pod.status : {};
  if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
  const fromSpec = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  return opts.gracePeriodSeconds ?? fromSpec;
}

function pendingWrite(ctx: Ctx, rt: ResourceType, key: string, old: KubeObject, next: KubeObject, opts: DeleteOptions): DeleteResult {
  if (opts.dryRun) return { pending: true, body: present(next, rt) };
  if (JSON.stringify(next) === JSON.stringify(old)) return { pending: true, body: present(old, rt) };
  return { pending: true, body: present(ctx.store.put(key, next), rt) };
}
