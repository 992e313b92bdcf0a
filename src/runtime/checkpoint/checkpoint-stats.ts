/**
 * What the coordinator remembers of its checkpoints for REST and metrics, with Flink's
 * names: counts, the latest completed, failed, savepoint and restore, and a bounded history.
 */
import type { SubtaskCheckpointAck } from './subtask-snapshot-writer.ts';

export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface CheckpointStatsEntry {
  readonly id: number;
  status: CheckpointStatus;
  readonly isSavepoint: boolean;
  readonly triggerTimestamp: number;
  latestAckTimestamp: number;
  /** From trigger to completion or failure (or to now while in progress). */
  durationMs: number;
  /** Bytes of state the checkpoint holds (Flink's state_size, full size). */
  stateSize: number;
  /** Bytes it uploaded (Flink's checkpointed_size): less than stateSize when incremental. */
  checkpointedSize: number;
  numAcknowledged: number;
  readonly numSubtasks: number;
  /** Longest synchronous part of any subtask: how long a task stopped processing. */
  syncDurationMaxMs: number;
  asyncDurationMaxMs: number;
  alignmentDurationMaxMs: number;
  externalPath: string | undefined;
  failureMessage: string | undefined;
  /** Per subtask acknowledgement, for the details view. */
  readonly acks: SubtaskCheckpointAck[];
}

const HISTORY_SIZE = 10;

export class CheckpointStats {
  completed = 0;
  failed = 0;
  restored = 0;
  private readonly history: CheckpointStatsEntry[] = [];
  lastCompleted: CheckpointStatsEntry | undefined;
  lastFailed: CheckpointStatsEntry | undefined;
  lastSavepoint: CheckpointStatsEntry | undefined;
  lastRestore: { id: number; restoreTimestamp: number; isSavepoint: boolean; externalPath: string } | undefined;

  started(id: number, isSavepoint: boolean, now: number, numSubtasks: number): CheckpointStatsEntry {
    const entry: CheckpointStatsEntry = {
      id,
      status: 'IN_PROGRESS',
      isSavepoint,
      triggerTimestamp: now,
      latestAckTimestamp: now,
      durationMs: 0,
      stateSize: 0,
      checkpointedSize: 0,
      numAcknowledged: 0,
      numSubtasks,
      syncDurationMaxMs: 0,
      asyncDurationMaxMs: 0,
      alignmentDurationMaxMs: 0,
      externalPath: undefined,
      failureMessage: undefined,
      acks: [],
    };
    this.history.unshift(entry);
    if (this.history.length > HISTORY_SIZE) this.history.pop();
    return entry;
  }

  acknowledged(entry: CheckpointStatsEntry, ack: SubtaskCheckpointAck, now: number): void {
    entry.acks.push(ack);
    entry.numAcknowledged++;
    entry.latestAckTimestamp = now;
    entry.stateSize += ack.handle.stateSize;
    entry.checkpointedSize += ack.handle.checkpointedSize ?? ack.handle.stateSize;
    entry.syncDurationMaxMs = Math.max(entry.syncDurationMaxMs, ack.syncDurationMs);
    entry.asyncDurationMaxMs = Math.max(entry.asyncDurationMaxMs, ack.asyncDurationMs);
    entry.alignmentDurationMaxMs = Math.max(entry.alignmentDurationMaxMs, ack.alignmentDurationMs);
  }

  succeeded(entry: CheckpointStatsEntry, now: number, externalPath: string): void {
    entry.status = 'COMPLETED';
    entry.durationMs = now - entry.triggerTimestamp;
    entry.externalPath = externalPath;
    this.completed++;
    this.lastCompleted = entry;
    if (entry.isSavepoint) this.lastSavepoint = entry;
  }

  failedWith(entry: CheckpointStatsEntry, now: number, message: string): void {
    entry.status = 'FAILED';
    entry.durationMs = now - entry.triggerTimestamp;
    entry.failureMessage = message;
    this.failed++;
    this.lastFailed = entry;
  }

  restoredFrom(id: number, isSavepoint: boolean, externalPath: string, now: number): void {
    this.restored++;
    this.lastRestore = { id, restoreTimestamp: now, isSavepoint, externalPath };
  }

  get inProgress(): number {
    return this.history.filter((e) => e.status === 'IN_PROGRESS').length;
  }

  /** Newest first. */
  entries(): readonly CheckpointStatsEntry[] {
    return this.history;
  }

  find(id: number): CheckpointStatsEntry | undefined {
    return this.history.find((e) => e.id === id);
  }
}
