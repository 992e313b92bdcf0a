/**
 * A job's HA data kept in memory with the same pure functions the Kubernetes store uses for
 * its ConfigMap, and a record of what happened at the job's end: for tests of JobManager
 * failover in one process.
 */
import { readPointers, withCompleted } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import type { CheckpointPointer, RecoveredPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import type { JobHaStore } from '../../src/runtime/jobmanager/ha/ha-services.ts';
import type { JobResultRecord } from '../../src/runtime/jobmanager/ha/job-result-store.ts';

export class MemoryHaStore implements JobHaStore {
  readonly durable = true;
  data: Record<string, string> | undefined;
  discarded = 0;
  /** What happened at the job's end, in order. */
  readonly ending: string[] = [];
  result: JobResultRecord | undefined;

  recover(): Promise<RecoveredPointers> {
    return Promise.resolve(readPointers(this.data ?? {}));
  }

  recordCompleted(retained: readonly CheckpointPointer[], nextCheckpointId: number): Promise<void> {
    this.data = withCompleted(this.data ?? {}, retained, nextCheckpointId);
    return Promise.resolve();
  }

  discard(): Promise<void> {
    this.discarded++;
    this.data = undefined;
    this.ending.push('discard HA data');
    return Promise.resolve();
  }

  recordResult(record: JobResultRecord): Promise<void> {
    this.result = record;
    this.ending.push(`record ${record.status} (dirty)`);
    return Promise.resolve();
  }

  markResultClean(): Promise<void> {
    this.ending.push('mark clean');
    return Promise.resolve();
  }
}

