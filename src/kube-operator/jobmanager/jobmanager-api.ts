/**
 * What the operator needs from a deployment's JobManager, as an interface: the reconciler
 * and its interpreter depend on this, the HTTP client is one implementation, and unit tests
 * use an in-memory one. Snapshot triggers carry a trigger id the operator chose and recorded
 * first (Flink's idempotent `triggerId`), so a retried trigger never takes a second snapshot.
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
  /** Completed checkpoints of this job (savepoints not counted), and when the latest one completed. */
  checkpoints?: { completed: number; latestCompletedAt?: number };
}

/** How the job goes on after a savepoint: Flink's savepoint (`continue`) or stop-with-savepoint (`stop`). */
export type SavepointThen = 'continue' | 'stop';

/** Where a triggered snapshot is: still running, done (a savepoint's location, a checkpoint's id), failed, or unknown to this JobManager. */
export type SnapshotOutcome =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; location?: string; checkpointId?: number }
  | { status: 'FAILED'; error: string }
  | { status: 'UNKNOWN' };

export type SnapshotKind = 'savepoint' | 'checkpoint';

export interface JobManagerApi {
  /** Per-vertex figures for the autoscaler (Flink's aggregated subtask metrics); a JobManager without them gives it nothing to decide on. */
  vertexMetrics?(jobId: string): Promise<ObservedVertex[]>;
  /** The application's job (the newest one if the JobManager ran several), or undefined before one is submitted. */
  currentJob(): Promise<ObservedJob | undefined>;
  /** Cancels the job; resolves once the JobManager accepted the request. */
  cancel(jobId: string): Promise<void>;
  /** Triggers a savepoint under `triggerId`; a trigger id the JobManager knows starts nothing new. */
  triggerSavepoint(jobId: string, triggerId: string, then: SavepointThen): Promise<void>;
  /** Triggers a checkpoint under `triggerId`, idempotently as above. */
  triggerCheckpoint(jobId: string, triggerId: string): Promise<void>;
  /** The outcome of a snapshot triggered under `triggerId`. */
  snapshotStatus(jobId: string, kind: SnapshotKind, triggerId: string): Promise<SnapshotOutcome>;
}

/** How the operator reaches the JobManager of the StreamDeployment `name` in `namespace`. */
export type JobManagerApiFactory = (name: string, namespace: string) => JobManagerApi;
