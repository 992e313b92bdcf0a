/**
 * Per-vertex figures for REST, read from the merged Prometheus text (the JobManager's
 * own registry and every TaskManager's), so they are the same for jobs run in this
 * process and on TaskManagers.
 */
import { findSamples, parsePrometheusText } from '../metrics/index.ts';

export interface SubtaskTimes {
  subtask: number;
  busyMsPerSecond: number;
  idleMsPerSecond: number;
  backPressuredMsPerSecond: number;
}

export interface JobTaskSamples {
  /** Vertex id -> records in and out, summed over its subtasks. */
  records: Map<string, { in: number; out: number }>;
  /** Vertex id -> per-subtask busy/idle/backpressured time. */
  times: Map<string, SubtaskTimes[]>;
}

export function jobTaskSamples(text: string, jobId: string): JobTaskSamples {
  const samples = parsePrometheusText(text);
  const records = new Map<string, { in: number; out: number }>();
  const times = new Map<string, Map<number, SubtaskTimes>>();
  const of = (name: string) => findSamples(samples, `flink_taskmanager_job_task_${name}`, { job_id: jobId });
  for (const s of of('numRecordsIn')) {
    const r = records.get(s.labels.task_id!) ?? { in: 0, out: 0 };
    r.in += s.value;
    records.set(s.labels.task_id!, r);
  }
  for (const s of of('numRecordsOut')) {
    const r = records.get(s.labels.task_id!) ?? { in: 0, out: 0 };
    r.out += s.value;
    records.set(s.labels.task_id!, r);
  }
  const slot = (vertex: string, subtask: number) => {
    let m = times.get(vertex);
    if (!m) times.set(vertex, (m = new Map()));
    let t = m.get(subtask);
    if (!t) m.set(subtask, (t = { subtask, busyMsPerSecond: 0, idleMsPerSecond: 0, backPressuredMsPerSecond: 0 }));
    return t;
  };
  for (const [name, field] of [['busyTimeMsPerSecond', 'busyMsPerSecond'], ['idleTimeMsPerSecond', 'idleMsPerSecond'], ['backPressuredTimeMsPerSecond', 'backPressuredMsPerSecond']] as const) {
    for (const s of of(name)) slot(s.labels.task_id!, Number(s.labels.subtask_index))[field] = s.value;
  }
  return { records, times: new Map([...times].map(([v, m]) => [v, [...m.values()].sort((a, b) => a.subtask - b.subtask)])) };
}

/** Flink's levels: a backpressured ratio up to 0.1 is ok, up to 0.5 low, above that high. */
export function backpressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}
