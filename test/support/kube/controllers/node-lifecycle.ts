// The node lifecycle controller: pods on a node that is not Ready are marked not ready at
// once, and deleted (forcefully, as taint-based eviction does) once the node has been not
// Ready for the eviction timeout, so their controllers replace them elsewhere.
import type { KubeApi } from '../api/api.ts';
import { present } from '../api/context.ts';
import { deleteObject } from '../api/delete.ts';
import { update } from '../api/write.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { reportControllerError } from './loop.ts';
import { nodeReady } from './scheduler.ts';

function notReadySince(node: KubeObject): number {
  const status = isRecord(node.status) ? node.status : {};
  const ready = (Array.isArray(status.conditions) ? status.conditions : []).find((c) => isRecord(c) && c.type === 'Ready') as JsonObject | undefined;
  return ready && typeof ready.lastTransitionTime === 'string' ? Date.parse(ready.lastTransitionTime) : 0;
}

/** Returns the delay until the next eviction is due, if any. */
export function nodeLifecyclePass(api: KubeApi, evictionTimeoutMs: number): number | undefined {
  const podType = api.type('v1', 'Pod');
  let next: number | undefined;
  for (const node of api.store.list('/nodes')) {
    if (nodeReady(node)) continue;
    const due = notReadySince(node) + evictionTimeoutMs - Date.now();
    for (const pod of api.store.list('/pods').filter((p) => isRecord(p.spec) && p.spec.nodeName === node.metadata.name)) {
      const ns = pod.metadata.namespace ?? '';
      const name = pod.metadata.name ?? '';
      try {
        if (due <= 0) {
          deleteObject(api.ctx, podType, ns, name, { gracePeriodSeconds: 0 });
          continue;
        }
        const status = isRecord(pod.status) ? pod.status : {};
        const conds = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
        if (conds.some((c) => c.type === 'Ready' && c.status === 'True')) {
          const updated = present(pod, podType);
          updated.status = { ...status, conditions: conds.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'NodeNotReady' } : c)) };
          update(api.ctx, podType, ns, name, updated, { subresource: 'status' });
        }
      } catch (err) {
        reportControllerError('node-lifecycle', err);
      }
    }
    if (due > 0) next = Math.min(next ?? due, due);
  }
  return next;
}
