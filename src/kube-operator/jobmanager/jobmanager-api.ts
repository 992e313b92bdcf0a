/**
 * What the operator needs from a deployment's JobManager, as an interface: the reconciler
 * and its interpreter depend on this, the HTTP client is one implementation, and unit tests
 * use an in-memory one. Savepoint and stop calls join here when upgrades need them.
 */
import type { ObservedVertex } from '../autoscaler/jobmanager-vertex-metrics.ts';

/** Subtask counts by state, as Flink's `GET /jobs/overview` reports them per job. */
export interface TaskCounts {
  total: number;
  created: number;
  scheduled: number;
  deploying: number;
  running: number;
  finished: number;
  canceling: number;
  canceled: number;
  failed: number;
  reconciling: number;
  initializing: number;
}

export interface ObservedJob {
  id: string;
  name: string;
  /** Flink's job states: RUNNING, FAILED, FINISHED, ... */
  state: string;
  startTime: number;
  tasks: TaskCounts;
  /** Root cause from the exception history, when the job failed. */
  failureCause?: string;
}

export interface JobManagerApi {
  /** Per-vertex figures for the autoscaler (Flink's aggregated subtask metrics); a JobManager without them gives it nothing to decide on. */
  vertexMetrics?(jobId: string): Promise<ObservedVertex[]>;
  /** The application's job (the newest one if the JobManager ran several), or undefined before one is submitted. */
  currentJob(): Promise<ObservedJob | undefined>;
  /** Cancels the job; resolves once the JobManager accepted the request. */
  cancel(jobId: string): Promise<void>;
}

/** How the operator reaches the JobManager of the StreamDeployment `name` in `namespace`. */
export type JobManagerApiFactory = (name: string, namespace: string) => JobManagerApi;
