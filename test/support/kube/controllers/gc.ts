// The garbage collector: dependents whose owners are all gone are deleted in the
// background; owners deleted with propagationPolicy Orphan release their dependents, and
// with Foreground wait for them, before their finalizer is removed.
import type { KubeApi } from '../api/api.ts';
import { present, storageKey } from '../api/context.ts';
import { deleteObject } from '../api/delete.ts';
import { update } from '../api/write.ts';
import type { ResourceType } from '../resources/types.ts';
import type { KubeObject } from '../types.ts';
import { reportControllerError } from './loop.ts';

interface Entry {
  rt: ResourceType;
  obj: KubeObject;
}

export function allObjects(api: KubeApi): Entry[] {
  const out: Entry[] = [];
  const seen = new Set<string>();
  for (const rt of api.registry.all()) {
    const key = storageKey(rt);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const obj of api.store.list(key)) out.push({ rt, obj });
  }
  return out;
}

function ns(e: Entry): string {
  return e.obj.metadata.namespace ?? '';
}

function removeFinalizer(api: KubeApi, e: Entry, finalizer: string): void {
  const next = present(e.obj, e.rt);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  update(api.ctx, e.rt, ns(e), e.obj.metadata.name ?? '', next);
}

export function gcPass(api: KubeApi): void {
  const entries = allObjects(api);
  const byUid = new Map(entries.map((e) => [e.obj.metadata.uid ?? '', e]));
  const dependentsOf = (uid: string): Entry[] => entries.filter((e) => (e.obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  for (const owner of entries) {
    const m = owner.obj.metadata;
    if (!m.deletionTimestamp) continue;
    const finalizers = m.finalizers ?? [];
    try {
      if (finalizers.includes('orphan')) {
        for (const dep of dependentsOf(m.uid ?? '')) {
          const next = present(dep.obj, dep.rt);
          next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== m.uid);
          update(api.ctx, dep.rt, ns(dep), dep.obj.metadata.name ?? '', next);
        }
        removeFinalizer(api, owner, 'orphan');
      } else if (finalizers.includes('foregroundDeletion')) {
        const deps = dependentsOf(m.uid ?? '');
        for (const dep of deps) {
          if (!dep.obj.metadata.deletionTimestamp) deleteObject(api.ctx, dep.rt, ns(dep), dep.obj.metadata.name ?? '', { propagationPolicy: 'Foreground' });
        }
        if (deps.length === 0) removeFinalizer(api, owner, 'foregroundDeletion');
      }
    } catch (err) {
      reportControllerError('garbage-collector', err);
    }
  }
  for (const dep of entries) {
    const refs = dep.obj.metadata.ownerReferences ?? [];
    if (refs.length === 0 || dep.obj.metadata.deletionTimestamp) continue;
    // An owner counts only if an object with that uid exists (a namesake with a new uid does not).
    if (refs.some((r) => byUid.has(r.uid))) continue;
    try {
      deleteObject(api.ctx, dep.rt, ns(dep), dep.obj.metadata.name ?? '', { propagationPolicy: 'Background' });
    } catch (err) {
      reportControllerError('garbage-collector', err);
    }
  }
}
