// The namespace controller: a terminating namespace has its contents deleted, and is
// removed once nothing is left in it.
import type { KubeApi } from '../api/api.ts';
import { deleteObject } from '../api/delete.ts';
import { allObjects } from './gc.ts';
import { reportControllerError } from './loop.ts';

export function namespacePass(api: KubeApi): void {
  const terminating = api.store.list('/namespaces').filter((n) => n.metadata.deletionTimestamp);
  if (terminating.length === 0) return;
  const entries = allObjects(api);
  for (const nsObj of terminating) {
    const name = nsObj.metadata.name ?? '';
    const contents = entries.filter((e) => e.rt.namespaced && e.obj.metadata.namespace === name);
    for (const e of contents) {
      if (e.obj.metadata.deletionTimestamp) continue;
      try {
        deleteObject(api.ctx, e.rt, name, e.obj.metadata.name ?? '', { propagationPolicy: 'Background' });
      } catch (err) {
        reportControllerError('namespace', err);
      }
    }
    if (contents.length === 0 && (nsObj.metadata.finalizers ?? []).length === 0) api.store.remove('/namespaces', '', name);
  }
}
