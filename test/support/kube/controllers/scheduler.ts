// The scheduler: binds each pending pod to a Ready, schedulable node that matches its
// nodeSelector, preferring the node with the fewest pods; with none, the pod stays Pending
// with PodScheduled=False (Unschedulable), as the real scheduler reports it.
import type { KubeApi } from '../api/api.ts';
import { bindPod } from '../api/binding.ts';
import { present } from '../api/context.ts';
import { update } from '../api/write.ts';
import type { KubeObject } from '../types.ts';
import { isRecord, nowTime } from '../types.ts';
import { recordEvent } from './events.ts';
import { reportControllerError } from './loop.ts';

const SCHEDULER = { component: 'default-scheduler' };

export function nodeReady(node: KubeObject): boolean {
  const status = isRecord(node.status) ? node.status : {};
  const conds = Array.isArray(status.conditions) ? status.conditions : [];
  return conds.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

function fits(pod: KubeObject, node: KubeObject): boolean {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const selector = isRecord(spec.nodeSelector) ? spec.nodeSelector : {};
  const labels = node.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function schedulerPass(api: KubeApi): void {
  const podType = api.type('v1', 'Pod');
  const nodes = api.store.list('/nodes').filter((n) => nodeReady(n) && !(isRecord(n.spec) && n.spec.unschedulable === true));
  const pods = api.store.list('/pods');
  const load = new Map<string, number>();
  for (const p of pods) {
    const nodeName = isRecord(p.spec) ? p.spec.nodeName : undefined;
    if (typeof nodeName === 'string') load.set(nodeName, (load.get(nodeName) ?? 0) + 1);
  }
  for (const pod of pods) {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    if (spec.nodeName || pod.metadata.deletionTimestamp) continue;
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      const candidates = nodes.filter((n) => fits(pod, n)).sort((a, b) => (load.get(a.metadata.name ?? '') ?? 0) - (load.get(b.metadata.name ?? '') ?? 0));
      const node = candidates[0];
      if (node) {
        bindPod(api.ctx, podType, ns, name, { target: { kind: 'Node', name: node.metadata.name } });
        recordEvent(api, present(pod, podType), 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node.metadata.name ?? ''}`, SCHEDULER);
        load.set(node.metadata.name ?? '', (load.get(node.metadata.name ?? '') ?? 0) + 1);
        continue;
      }
      const status = isRecord(pod.status) ? pod.status : {};
      const conds = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
      if (conds.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')) continue;
      const all = api.store.list('/nodes').length;
      const message = `0/${all} nodes are available: ${all === 0 ? 'no nodes available to schedule pods' : `${all - nodes.length} node(s) were not ready or unschedulable`}.`;
      const next = present(pod, podType);
      next.status = {
        ...status,
        conditions: [...conds.filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: nowTime(), reason: 'Unschedulable', message }],
      };
      update(api.ctx, podType, ns, name, next, { subresource: 'status' });
      recordEvent(api, next, 'Warning', 'FailedScheduling', message, SCHEDULER);
    } catch (err) {
      reportControllerError('scheduler', err);
    }
  }
}
