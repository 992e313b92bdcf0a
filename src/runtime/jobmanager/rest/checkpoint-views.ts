/**
 * The checkpoint routes' answers, in the shapes of Flink's REST API: statistics
 * (`/jobs/:id/checkpoints`), one checkpoint's details, the configuration, and the status of
 * triggered checkpoints and savepoints.
 */
import type { CheckpointConfig } from '../../checkpoint/checkpoint-config.ts';
import type { CheckpointStats, CheckpointStatsEntry } from '../../checkpoint/checkpoint-stats.ts';
import type { OperationStatus } from '../async-operations.ts';

function entryView(e: CheckpointStatsEntry, now: number) {
  return {
    className: e.status === 'COMPLETED' ? '.CompletedCheckpointStatistics' : e.status === 'FAILED' ? '.FailedCheckpointStatistics' : '.PendingCheckpointStatistics',
    id: e.id,
    status: e.status,
    is_savepoint: e.isSavepoint,
    checkpoint_type: e.isSavepoint ? 'SAVEPOINT' : 'CHECKPOINT',
    trigger_timestamp: e.triggerTimestamp,
    latest_ack_timestamp: e.latestAckTimestamp,
    state_size: e.stateSize,
    checkpointed_size: e.checkpointedSize,
    end_to_end_duration: e.status === 'IN_PROGRESS' ? now - e.triggerTimestamp : e.durationMs,
    num_subtasks: e.numSubtasks,
    num_acknowledged_subtasks: e.numAcknowledged,
    // Weir reports the synchronous pause and the asynchronous upload apart, as their maxima over subtasks.
    sync_duration_max: e.syncDurationMaxMs,
    async_duration_max: e.asyncDurationMaxMs,
    alignment_duration_max: e.alignmentDurationMaxMs,
    ...(e.externalPath === undefined ? {} : { external_path: e.externalPath }),
    ...(e.failureMessage === undefined ? {} : { failure_message: e.failureMessage, failure_timestamp: e.triggerTimestamp + e.durationMs }),
  };
}

function summary(values: number[]) {
  if (values.length === 0) return { min: 0, max: 0, avg: 0 };
  return { min: Math.min(...values), max: Math.max(...values), avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length) };
}

export function checkpointStatsView(stats: CheckpointStats, now: number) {
  const entries = stats.entries();
  const completed = entries.filter((e) => e.status === 'COMPLETED');
  return {
    counts: { restored: stats.restored, total: stats.completed + stats.failed + stats.inProgress, in_progress: stats.inProgress, completed: stats.completed, failed: stats.failed },
    summary: {
      state_size: summary(completed.map((e) => e.stateSize)),
      checkpointed_size: summary(completed.map((e) => e.checkpointedSize)),
      end_to_end_duration: summary(completed.map((e) => e.durationMs)),
      sync_duration: summary(completed.map((e) => e.syncDurationMaxMs)),
      async_duration: summary(completed.map((e) => e.asyncDurationMaxMs)),
      alignment_duration: summary(completed.map((e) => e.alignmentDurationMaxMs)),
    },
    latest: {
      completed: stats.lastCompleted && !stats.lastCompleted.isSavepoint ? entryView(stats.lastCompleted, now) : null,
      savepoint: stats.lastSavepoint ? entryView(stats.lastSavepoint, now) : null,
      failed: stats.lastFailed ? entryView(stats.lastFailed, now) : null,
      restored: stats.lastRestore
        ? { id: stats.lastRestore.id, restore_timestamp: stats.lastRestore.restoreTimestamp, is_savepoint: stats.lastRestore.isSavepoint, external_path: stats.lastRestore.externalPath }
        : null,
    },
    history: entries.map((e) => entryView(e, now)),
  };
}

/** One checkpoint, with each vertex's acknowledgements. */
export function checkpointDetailsView(e: CheckpointStatsEntry, now: number) {
  const tasks: Record<string, { id: number; status: string; latest_ack_timestamp: number; state_size: number; checkpointed_size: number; num_acknowledged_subtasks: number; sync_duration_max: number; async_duration_max: number; alignment_duration_max: number }> = {};
  for (const a of e.acks) {
    const t = (tasks[a.handle.vertexId] ??= { id: e.id, status: e.status, latest_ack_timestamp: 0, state_size: 0, checkpointed_size: 0, num_acknowledged_subtasks: 0, sync_duration_max: 0, async_duration_max: 0, alignment_duration_max: 0 });
    t.num_acknowledged_subtasks++;
    t.state_size += a.handle.stateSize;
    t.checkpointed_size += a.handle.checkpointedSize ?? a.handle.stateSize;
    t.sync_duration_max = Math.max(t.sync_duration_max, a.syncDurationMs);
    t.async_duration_max = Math.max(t.async_duration_max, a.asyncDurationMs);
    t.alignment_duration_max = Math.max(t.alignment_duration_max, a.alignmentDurationMs);
  }
  return { ...entryView(e, now), tasks };
}

export function checkpointConfigView(c: CheckpointConfig) {
  return {
    mode: c.mode.toLowerCase(),
    interval: c.intervalMs ?? Number.MAX_SAFE_INTEGER,
    timeout: c.timeoutMs,
    min_pause: c.minPauseMs,
    max_concurrent: c.maxConcurrent,
    externalization: { enabled: c.retention === 'RETAIN_ON_CANCELLATION', delete_on_cancellation: c.retention === 'DELETE_ON_CANCELLATION' },
    tolerable_failed_checkpoints: c.tolerableFailures,
    checkpoints_retained: c.numRetained,
    checkpoint_storage: 'FileSystemCheckpointStorage',
    state_backend: 'HashMapStateBackend',
    checkpoint_directory: c.dir,
    ...(c.savepointDir === undefined ? {} : { savepoint_directory: c.savepointDir }),
  };
}

/** Flink's AsynchronousOperationResult: the status, then the operation's result or failure cause. */
export function operationView<T>(s: OperationStatus<T>, result: (value: T) => Record<string, unknown>) {
  if (s.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' } };
  if ('failure' in s) return { status: { id: 'COMPLETED' }, operation: { 'failure-cause': { class: s.failure.code, 'stack-trace': s.failure.message, retriable: s.failure.retriable } } };
  return { status: { id: 'COMPLETED' }, operation: result(s.result) };
}
