/** What the operator observed before deciding, and what it decided: the reconciler's inputs and output. */
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';

export interface ObservedJob {
  id: string;
  name: string;
  /** Flink's job states: RUNNING, FAILED, FINISHED, ... */
  state: string;
  startTime: number;
  /** Root cause from the exception history, when the job failed. */
  failureCause?: string;
}

/** The JobManager's REST answer, or why there was none. */
export type JobObservation = { reachable: true; job: ObservedJob | undefined } | { reachable: false; error: string };

export interface Facts {
  sd: StreamDeployment;
  /** Objects found under the StreamDeployment's child names. */
  children: readonly KubeObject[];
  /** Undefined when the JobManager was not asked (not deployed or not ready). */
  jobManager: JobObservation | undefined;
  now: Date;
}

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: 'Submit' | 'JobStatusChanged' | 'ValidationError' | 'Error' | 'Suspended' | 'Deleting' | 'SpecChanged';
  message: string;
}

export interface ReconcilePlan {
  finalizer?: 'add' | 'remove';
  /** Written through the status subresource before any child changes (the target being acted on). */
  recordTarget?: StreamDeploymentStatus;
  /** Children to create (absent) or replace (hash differs). */
  apply: KubeObject[];
  /** Cancel this job through the JobManager's REST API (best effort). */
  cancelJob?: string;
  events: EventSpec[];
  /** The status to write afterwards; the executor skips the write when it equals the current one. */
  status: StreamDeploymentStatus;
  requeueAfterMs?: number;
}
