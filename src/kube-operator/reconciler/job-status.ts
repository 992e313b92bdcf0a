/** The job part of status, and the JobStatusChanged event when it moves. */
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { EventSpec, JobObservation } from './facts.ts';

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
