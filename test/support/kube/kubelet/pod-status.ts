// Renders a running pod's v1 PodStatus: phase, conditions with transition times, IPs and
// container statuses.
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord, nowTime } from '../types.ts';
import type { PodRunner } from './pod-runner.ts';

function phase(r: PodRunner): string {
  if (!r.initialized) {
    const failedInit = r.inits.find((c) => c.done && (c.lastExit?.exitCode ?? 0) !== 0);
    return failedInit ? 'Failed' : 'Pending';
  }
  if (r.containers.some((c) => c.proc === undefined && !c.done)) return 'Pending';
  if (r.containers.every((c) => c.done)) return r.containers.every((c) => c.lastExit?.exitCode === 0) ? 'Succeeded' : 'Failed';
  return 'Running';
}

export function podStatus(r: PodRunner, hostIP: string, current: KubeObject): JsonObject {
  const ph = phase(r);
  const ready = ph === 'Running' && r.containers.every((c) => c.ready);
  const cond = (type: string, ok: boolean, reason?: string): JsonObject => {
    const status = ok ? 'True' : 'False';
    const prev = r.transitions.get(type);
    const time = prev && prev.status === status ? prev.time : nowTime();
    r.transitions.set(type, { status, time });
    const c: JsonObject = { type, status, lastProbeTime: null, lastTransitionTime: time };
    if (!ok && reason) c.reason = reason;
    return c;
  };
  const completed = ph === 'Succeeded' || ph === 'Failed';
  const prev = isRecord(current.status) ? current.status : {};
  const status: JsonObject = {
    phase: ph,
    conditions: [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', r.initialized, 'ContainersNotInitialized'),
      cond('Ready', ready, completed ? 'PodCompleted' : 'ContainersNotReady'),
      cond('ContainersReady', ready, completed ? 'PodCompleted' : 'ContainersNotReady'),
      cond('PodScheduled', true),
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: r.podIP,
    podIPs: [{ ip: r.podIP }],
    startTime: r.startTime,
    containerStatuses: r.containers.map((c) => c.toStatus()),
    qosClass: prev.qosClass ?? 'BestEffort',
  };
  if (r.inits.length > 0) status.initContainerStatuses = r.inits.map((c) => c.toStatus());
  return status;
}
