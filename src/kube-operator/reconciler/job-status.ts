/** The job part of status, and the JobStatusChanged event when it moves. */
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { EventSpec, JobObservation, ObservedJob } from './facts.ts';

/**
 * A job counts as running only when every one of its tasks runs: Flink reports a job
 * RUNNING while its tasks are still scheduled, deploying or restoring, or have lost their
 * TaskManager.
 */
export function everyTaskRuns(job: ObservedJob): boolean {
  return job.state === 'RUNNING' && job.tasks.total > 0 && job.tasks.running === job.tasks.total;
}

/** Status fields from the JobManager's answer; without an answer the last known job stays. */
export function observedJobStatus(current: StreamDeploymentStatus, observation: JobObservation | undefined): Pick<StreamDeploymentStatus, 'job' | 'error'> {
  if (!observation?.reachable || !observation.job) return { job: current.job, error: current.error };
  const j = observation.job;
  return {
    job: { id: j.id, name: j.name, state: j.state, startTime: String(j.startTime) },
    error: j.state === 'FAILED' ? (j.failureCause ?? 'the job failed') : undefined,
  };
}

export function jobStateTransition(before: StreamDeploymentStatus, after: StreamDeploymentStatus): EventSpec[] {
  const from = before.job?.state;
  const to = after.job?.state;
  if (to === undefined || from === to) return [];
  const failed = to === 'FAILED';
  return [{ type: failed ? 'Warning' : 'Normal', reason: 'JobStatusChanged', message: `Job status changed from ${from ?? 'none'} to ${to}${failed && after.error ? `: ${after.error}` : ''}` }];
}
