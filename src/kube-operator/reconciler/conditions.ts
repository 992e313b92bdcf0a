/** Kubernetes-style conditions: a transition time that moves only when the status does. */
import type { Condition } from '../crd/stream-deployment-schema.ts';
import { kubeTime } from '../kube/kube-object.ts';

export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i === -1 ? undefined : list[i];
  const lastTransitionTime = prev && prev.status === next.status ? prev.lastTransitionTime : kubeTime(now);
  const merged: Condition = { ...next, lastTransitionTime };
  if (i === -1) list.push(merged);
  else list[i] = merged;
  return list;
}

export function conditionOf(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
