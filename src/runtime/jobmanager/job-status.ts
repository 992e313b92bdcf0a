/**
 * The job status machine, with Flink's states and transitions. The JobManager asks
 * `nextStatus` before it changes a job's status, so an impossible transition is a bug
 * caught where it happens rather than a wrong status in REST.
 */
import { WeirError } from '../../errors/index.ts';

export type JobStatus =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED';

const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  INITIALIZING: ['CREATED', 'FAILED', 'CANCELLING', 'SUSPENDED'],
  CREATED: ['RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'SUSPENDED'],
  RUNNING: ['FINISHED', 'FAILING', 'RESTARTING', 'CANCELLING', 'SUSPENDED'],
  FAILING: ['FAILED', 'RESTARTING', 'CANCELLING', 'SUSPENDED'],
  RESTARTING: ['CREATED', 'RUNNING', 'FAILED', 'CANCELLING', 'SUSPENDED'],
  CANCELLING: ['CANCELED', 'FAILED', 'SUSPENDED'],
  FAILED: [],
  CANCELED: [],
  FINISHED: [],
  SUSPENDED: [],
};

/** States no job leaves. SUSPENDED is terminal for this JobManager only (a new leader may resume the job). */
export function isTerminal(status: JobStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** FAILED, CANCELED and FINISHED: the job is over for every JobManager. */
export function isGloballyTerminal(status: JobStatus): boolean {
  return status === 'FAILED' || status === 'CANCELED' || status === 'FINISHED';
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Returns `to`, or throws when a job in `from` cannot move there. */
export function nextStatus(from: JobStatus, to: JobStatus): JobStatus {
  if (!canTransition(from, to)) {
    throw new WeirError('ILLEGAL_JOB_STATUS_TRANSITION', `a job cannot go from ${from} to ${to}`, false);
  }
  return to;
}
