/** What the operator observed before deciding: the reconciler's inputs. */
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { ObservedJob, SnapshotOutcome } from '../jobmanager/jobmanager-api.ts';
import type { VertexObservation } from '../autoscaler/scaling-inputs.ts';

export type { ObservedJob, SnapshotOutcome, TaskCounts } from '../jobmanager/jobmanager-api.ts';

/** The JobManager's HA metadata of this deployment (`<cluster-id>-<jobId>-config-map`), as found. */
export interface HaMetadata {
  /** Names of the job ConfigMaps found. */
  configMaps: string[];
  /** Whether one of them points at a completed checkpoint (`checkpointID-<19 digits>`): what last-state restores from. */
  hasCheckpoint: boolean;
}

/** The JobManager's REST answer, or why there was none. */
export type JobObservation = { reachable: true; job: ObservedJob | undefined } | { reachable: false; error: string };

export interface Facts {
  sd: StreamDeployment;
  /** Objects found under the StreamDeployment's child names. */
  children: readonly KubeObject[];
  /** Undefined when the JobManager was not asked (not deployed or not ready). */
  jobManager: JobObservation | undefined;
  /** The JobManager's pods, observed while its Deployment exists without a ready replica (to tell a crash loop from a slow start). */
  jobManagerPods?: readonly KubeObject[];
  /** The outcome of the snapshot whose trigger id status holds (an upgrade's or a pending trigger's), when the JobManager answered. */
  snapshot?: SnapshotOutcome;
  /** Observed only with `high-availability.type: kubernetes`. */
  ha?: HaMetadata;
  now: Date;
  /** The autoscaler's vertices with their samples: collected while an enabled autoscaler's job runs every task. */
  autoscaler?: readonly VertexObservation[];
}

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason:
    | 'Submit'
    | 'JobStatusChanged'
    | 'ValidationError'
    | 'UnsupportedField'
    | 'Error'
    | 'Suspended'
    | 'Deleting'
    | 'SpecChanged'
    | 'CrashLoopBackOff'
    | 'UpgradeStarted'
    | 'UpgradeBlocked'
    | 'SavepointTriggered'
    | 'SavepointCompleted'
    | 'SavepointFailed'
    | 'CheckpointTriggered'
    | 'CheckpointCompleted'
    | 'CheckpointFailed'
    | 'LastStateFallback'
    | 'RolledBack'
    | 'ReconciliationPaused'
    | 'ScalingReport';
  message: string;
}
