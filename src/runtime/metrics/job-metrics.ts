/**
 * Job-level metrics on the JobManager (Flink's JobManagerJobMetricGroup):
 * `flink_jobmanager_job_numRestarts` and `flink_jobmanager_job_uptime`, labelled with host,
 * job_id and job_name. Whoever owns the job's lifecycle (the JobMaster, or a standalone
 * TaskGroup) registers them with its own readers.
 */
import type { MetricRegistry } from './registry.ts';
import { JOB_SCOPE, jobLabels } from './scope.ts';
import type { JobScopeVariables } from './scope.ts';

export interface JobMetricsProbe {
  numRestarts(): number;
  /** Milliseconds; see `uptimeMs`. */
  uptime(): number;
  /** Flink's checkpointing gauges of the job, when it has a coordinator. */
  checkpoints?: CheckpointMetricsProbe;
}

export interface CheckpointMetricsProbe {
  numberOfCompletedCheckpoints(): number;
  numberOfFailedCheckpoints(): number;
  numberOfInProgressCheckpoints(): number;
  totalNumberOfCheckpoints(): number;
  /** Milliseconds; -1 before the first completed checkpoint. */
  lastCheckpointDuration(): number;
  /** Bytes the last checkpoint uploaded (less than the full size when incremental); -1 before the first completed checkpoint. */
  lastCheckpointSize(): number;
  /** Bytes of state the last checkpoint holds; -1 before the first completed checkpoint. */
  lastCheckpointFullSize(): number;
  /** Epoch milliseconds of the last restore; -1 before any. */
  lastCheckpointRestoreTimestamp(): number;
  /** -1 before the first completed checkpoint. */
  lastCompletedCheckpointId(): number;
}

/** Flink's value for a job that is no longer running. */
export const NO_LONGER_RUNNING = -1;

const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED']);

/**
 * Flink's UpTimeGauge: time since the job last switched to RUNNING while it runs, 0 while
 * it is not running yet (or restarting), -1 once it reached a terminal state.
 */
export function uptimeMs(status: string, runningSince: number | undefined, now: number): number {
  if (TERMINAL.has(status)) return NO_LONGER_RUNNING;
  if (status !== 'RUNNING' || runningSince === undefined) return 0;
  return Math.max(now - runningSince, 0);
}

export function registerJobMetrics(registry: MetricRegistry, vars: JobScopeVariables, probe: JobMetricsProbe): () => void {
  const labels = jobLabels(vars, registry.filterLabelValues);
  const removers = [registry.gauge(JOB_SCOPE, 'numRestarts', labels, () => probe.numRestarts()), registry.gauge(JOB_SCOPE, 'uptime', labels, () => probe.uptime())];
  const c = probe.checkpoints;
  if (c) {
    for (const name of Object.keys(c) as (keyof CheckpointMetricsProbe)[]) removers.push(registry.gauge(JOB_SCOPE, name, labels, () => c[name]()));
  }
  return () => removers.forEach((remove) => remove());
}
