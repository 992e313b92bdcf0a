/**
 * A JobManager that keeps crashing, read from its pods' container statuses the way
 * `kubectl describe pod` shows them, and said in one line a user can act on. Flink's operator
 * reports the same (JobManagerDeploymentStatus ERROR, reason CrashLoopBackOff) instead of
 * leaving the deployment looking merely slow to start.
 */
import type { KubeObject } from '../kube/kube-object.ts';

export interface CrashLoop {
  pod: string;
  container: string;
  restartCount: number;
  /** The kubelet is waiting out its restart back-off right now. */
  backingOff: boolean;
  exitCode?: number;
  reason?: string;
  /** The termination message (with FallbackToLogsOnError: the end of the container's output). */
  message?: string;
}

interface Terminated {
  exitCode?: number;
  reason?: string;
  message?: string;
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: Terminated };
}

/** The longest termination message quoted: its end, where the error usually is. */
const MESSAGE_LIMIT = 512;

/**
 * The first container of these pods that is in CrashLoopBackOff, else the first that
 * restarted after failing and is not ready again; pods being deleted are left out.
 */
export function crashLoopOf(pods: readonly KubeObject[]): CrashLoop | undefined {
  const candidates: CrashLoop[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
    for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
      const backingOff = c.state?.waiting?.reason === 'CrashLoopBackOff';
      const last = c.lastState?.terminated;
      const failedBefore = (c.restartCount ?? 0) > 0 && last !== undefined && last.exitCode !== 0 && c.ready !== true;
      if (!backingOff && !failedBefore) continue;
      candidates.push({
        pod: pod.metadata.name,
        container: c.name ?? '',
        restartCount: c.restartCount ?? 0,
        backingOff,
        exitCode: last?.exitCode,
        reason: last?.reason,
        message: last?.message?.trim() || undefined,
      });
    }
  }
  return candidates.find((c) => c.backingOff) ?? candidates[0];
}

/**
 * What Degraded, status.error and the Event say. It leaves out the restart count, so the
 * message (and with it the Event) changes only when the failure does.
 */
export function describeCrashLoop(c: CrashLoop): string {
  const exit = c.exitCode === undefined ? 'it keeps exiting' : `last exit code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`;
  const message = c.message === undefined ? '' : `: ${c.message.length > MESSAGE_LIMIT ? `...${c.message.slice(-MESSAGE_LIMIT)}` : c.message}`;
  return `the JobManager keeps crashing: container ${c.container} of pod ${c.pod} is in CrashLoopBackOff, ${exit}${message}`;
}
