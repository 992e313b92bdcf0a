// pods/binding: what a scheduler posts to put a pod on a node.
import { badRequest, conflict } from '../errors.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupResource } from '../resources/types.ts';
import type { JsonObject } from '../types.ts';
import { clone, isRecord, nowTime } from '../types.ts';
import type { Ctx } from './context.ts';
import { mustGet, storageKey } from './context.ts';

export function bindPod(ctx: Ctx, podType: ResourceType, ns: string, name: string, body: unknown): JsonObject {
  if (!isRecord(body) || !isRecord(body.target) || typeof body.target.name !== 'string') {
    throw badRequest('Binding.target.name is required');
  }
  const pod = clone(mustGet(ctx, podType, ns, name));
  const spec = isRecord(pod.spec) ? pod.spec : {};
  if (spec.nodeName) throw conflict(groupResource(podType), name, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
  if (pod.metadata.deletionTimestamp) throw conflict(groupResource(podType), name, 'pod is being deleted, cannot be assigned to a host');
  spec.nodeName = body.target.name;
  pod.spec = spec;
  const status = isRecord(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter((c) => !(isRecord(c) && c.type === 'PodScheduled')) : [];
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTime() });
  status.conditions = conditions;
  pod.status = status;
  ctx.store.put(storageKey(podType), pod);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
