/**
 * After a restart, a job that says RUNNING may still move no records. Restart tests check
 * the task metrics of the attempt that runs now (Prometheus text, as a JobManager's
 * /metrics merges it from every TaskManager): its records in must grow.
 */
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import { eventually } from './eventually.ts';

export interface AttemptRecords {
  attempt: number;
  /** Records the attempt's tasks took in, over all of its subtasks in the text. */
  recordsIn: number;
}

/** The newest attempt of the job with task metrics in `text`, and its records in. */
export function newestAttemptRecords(text: string, jobId: string): AttemptRecords | undefined {
  const samples = findSamples(parsePrometheusText(text), 'flink_taskmanager_job_task_numRecordsIn', { job_id: jobId });
  if (samples.length === 0) return undefined;
  const attempt = Math.max(...samples.map((s) => Number(s.labels.task_attempt_num)));
  const recordsIn = samples.filter((s) => Number(s.labels.task_attempt_num) === attempt).reduce((n, s) => n + s.value, 0);
  return { attempt, recordsIn };
}

/**
 * Waits until an attempt numbered `fromAttempt` or later takes in more records than when it
 * was first seen. Should the job restart once more meanwhile, the newer attempt must do so.
 */
export async function recordsFlowInAttempt(metricsText: () => Promise<string>, jobId: string, fromAttempt: number, timeoutMs = 60_000): Promise<AttemptRecords> {
  let first: AttemptRecords | undefined;
  let last: AttemptRecords | undefined;
  return eventually(
    async () => {
      last = newestAttemptRecords(await metricsText(), jobId);
      if (last === undefined || last.attempt < fromAttempt) return undefined;
      if (first === undefined || first.attempt !== last.attempt) first = last;
      return last.recordsIn > first.recordsIn ? last : undefined;
    },
    timeoutMs,
    `records to flow in attempt ${fromAttempt} or later`,
    () => ({ first, last }),
  );
}

/** A JobManager's (or TaskManager's) /metrics text. */
export const scrape = (metricsUrl: string) => async (): Promise<string> => (await fetch(metricsUrl)).text();
