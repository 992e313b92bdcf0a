/**
 * The progress line of `weir run --taskmanagers`: read from the JobManager's /metrics
 * (its own and every TaskManager's), so the parent process needs no other channel.
 */
import { findSamples, parsePrometheusText } from '../runtime/metrics/index.ts';
import type { Sample } from '../runtime/metrics/index.ts';
import { formatRate, formatWatermark } from './progress.ts';

export interface ClusterTotals {
  recordsIn: number;
  recordsOut: number;
  /** Lowest input watermark over tasks that have inputs (epoch ms), or -Infinity. */
  watermark: number;
  /** Highest backPressuredTimeMsPerSecond over all tasks. */
  backPressuredMsPerSecond: number;
  restarts: number;
  /** The last completed checkpoint, if any, and how many failed. */
  checkpoint: { id: number; durationMs: number; failed: number } | undefined;
}

const LONG_MIN = -(2 ** 63);
const sum = (samples: readonly Sample[]) => samples.reduce((n, s) => n + s.value, 0);

/** Records in = what sources read; records out = what sinks wrote (label values are Flink-filtered names). */
export function clusterTotals(text: string): ClusterTotals {
  const samples = parsePrometheusText(text);
  const sources = findSamples(samples, 'flink_taskmanager_job_task_operator_numRecordsOut').filter((s) => s.labels.operator_name?.startsWith('Source_'));
  const sinks = findSamples(samples, 'flink_taskmanager_job_task_operator_numRecordsIn').filter((s) => s.labels.operator_name?.startsWith('Sink_'));
  const watermarks = findSamples(samples, 'flink_taskmanager_job_task_currentInputWatermark')
    .filter((s) => !s.labels.task_name?.startsWith('Source_'))
    .map((s) => s.value);
  const lowest = watermarks.length ? Math.min(...watermarks) : LONG_MIN;
  return {
    recordsIn: sum(sources),
    recordsOut: sum(sinks),
    watermark: lowest <= LONG_MIN ? -Infinity : lowest >= 2 ** 63 ? Infinity : lowest,
    backPressuredMsPerSecond: Math.max(0, ...findSamples(samples, 'flink_taskmanager_job_task_backPressuredTimeMsPerSecond').map((s) => s.value)),
    restarts: sum(findSamples(samples, 'flink_jobmanager_job_numRestarts')),
    checkpoint: lastCheckpoint(samples),
  };
}

function lastCheckpoint(samples: readonly Sample[]): ClusterTotals['checkpoint'] {
  const id = findSamples(samples, 'flink_jobmanager_job_lastCompletedCheckpointId')[0]?.value ?? -1;
  const failed = sum(findSamples(samples, 'flink_jobmanager_job_numberOfFailedCheckpoints'));
  if (id < 0 && failed === 0) return undefined;
  return { id, durationMs: findSamples(samples, 'flink_jobmanager_job_lastCheckpointDuration')[0]?.value ?? -1, failed };
}

export function progressLine(now: ClusterTotals, before: ClusterTotals, seconds: number): string {
  return (
    `weir: in ${formatRate(Math.max(0, now.recordsIn - before.recordsIn) / seconds)}, ` +
    `out ${formatRate(Math.max(0, now.recordsOut - before.recordsOut) / seconds)}, ` +
    `watermark ${formatWatermark(now.watermark)}, backpressure ${Math.round(now.backPressuredMsPerSecond / 10)}%, restarts ${now.restarts}` +
    checkpointText(now.checkpoint)
  );
}

/** `, chk 12 ok, 3 ms`: the last completed checkpoint, and failures when there were any. */
function checkpointText(c: ClusterTotals['checkpoint']): string {
  if (!c) return '';
  const ok = c.id >= 0 ? `, chk ${c.id} ok, ${Math.round(c.durationMs)} ms` : ', no checkpoint completed yet';
  return `${ok}${c.failed > 0 ? ` (${c.failed} failed)` : ''}`;
}
