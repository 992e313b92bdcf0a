/**
 * What the JobMaster needs of high availability, kept behind one interface so its logic is
 * the same (and tested without servers) whether HA is off (`StandaloneJobHaStore`) or kept in
 * Kubernetes ConfigMaps (`KubernetesJobHaStore`).
 */
import type { CheckpointPointer, RecoveredPointers } from './checkpoint-pointers.ts';
import type { JobResultRecord } from './job-result-store.ts';

export interface JobHaStore {
  /** Whether pointers survive this JobManager (false: standalone). */
  readonly durable: boolean;
  /** The checkpoints a previous leader recorded for this job, and the counter. */
  recover(): Promise<RecoveredPointers>;
  /** A checkpoint completed: record the retained ones (dropping the rest) and the next id; throws when it could not be recorded. */
  recordCompleted(retained: readonly CheckpointPointer[], nextCheckpointId: number): Promise<void>;
  /** The job ended for every JobManager: its HA data goes. */
  discard(): Promise<void>;
  /** The job ended for every JobManager: its result is recorded (dirty) before anything is cleaned up; throws when it could not be. */
  recordResult(record: JobResultRecord): Promise<void>;
  /** The job's checkpoints and HA data are gone as its end requires: its recorded result is marked clean. */
  markResultClean(): Promise<void>;
}

export class StandaloneJobHaStore implements JobHaStore {
  readonly durable = false;

  recover(): Promise<RecoveredPointers> {
    return Promise.resolve({ nextCheckpointId: 1, pointers: [] });
  }

  recordCompleted(): Promise<void> {
    return Promise.resolve();
  }

  discard(): Promise<void> {
    return Promise.resolve();
  }
  recordResult(): Promise<void> {
    return Promise.resolve();
  }
  markResultClean(): Promise<void> {
    return Promise.resolve();
  }
}
