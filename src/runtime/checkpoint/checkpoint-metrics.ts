/** Flink's JobManager checkpointing gauges, read from the coordinator's statistics. */
import type { CheckpointMetricsProbe } from '../metrics/job-metrics.ts';
import type { CheckpointStats } from './checkpoint-stats.ts';

export function checkpointMetrics(stats: CheckpointStats): CheckpointMetricsProbe {
  return {
    numberOfCompletedCheckpoints: () => stats.completed,
    numberOfFailedCheckpoints: () => stats.failed,
    numberOfInProgressCheckpoints: () => stats.inProgress,
    totalNumberOfCheckpoints: () => stats.completed + stats.failed + stats.inProgress,
    lastCheckpointDuration: () => stats.lastCompleted?.durationMs ?? -1,
    // As Flink: the checkpointed (uploaded) size, and the full size apart.
    lastCheckpointSize: () => stats.lastCompleted?.checkpointedSize ?? -1,
    lastCheckpointFullSize: () => stats.lastCompleted?.stateSize ?? -1,
    lastCheckpointRestoreTimestamp: () => stats.lastRestore?.restoreTimestamp ?? -1,
    lastCompletedCheckpointId: () => stats.lastCompleted?.id ?? -1,
  };
}
