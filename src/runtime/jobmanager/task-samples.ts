/**
 * Per-vertex figures for REST, read from the merged Prometheus text (the JobManager's
 * own registry and every TaskManager's), so they are the same for jobs run in this
 * process and on TaskManagers.
 */
import { findSamples, parsePrometheusText } from '../metrics/index.ts';
import type { SubtaskRecords } from '../task/task-group.ts';

export interface SubtaskTimes {
  subtask: number;
  busyMsPerSecond: number;
  idleMsPerSecond: number;
  backPressuredMsPerSecond: number;
}

export interface JobTaskSamples {
  /** Records in and out of each subtask that has task metrics now. */
  subtasks: SubtaskRecords[];
  /** Vertex id -> per-subtask busy/idle/backpressured time. */
  times: Map<string, SubtaskTimes[]>;
}

export function jobTaskSamples(text: string, jobId: string): JobTaskSamples {
  const samples = parsePrometheusText(text);
  const records = new Map<string, { vertexId: string; subtask: number; in: number; out: number }>();
  const times = new Map<string, Map<number, SubtaskTimes>>();
  const of = (name: string) => findSamples(samples, `flink_taskmanager_job_task_${name}`, { job_id: jobId });
  const record = (labels: Record<string, string>) => {
    const key = `${labels.task_id}/${labels.subtask_index}`;
    let r = records.get(key);
    if (!r) records.set(key, (r = { vertexId: labels.task_id!, subtask: Number(labels.subtask_index), in: 0, out: 0 }));
    return r;
  };
  for (const s of of('numRecordsIn')) record(s.labels).in += s.value;
  for (const s of of('numRecordsOut')) record(s.labels).out += s.value;
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
  return { subtasks: [...records.values()], times: new Map([...times].map(([v, m]) => [v, [...m.values()].sort((a, b) => a.subtask - b.subtask)])) };
}

/**
 * Per-subtask records in and out, by `vertexId/subtask`: live task metrics, where the final
 * counts of subtasks that ended take their place (their metrics are gone, or about to go).
 */
export function subtaskRecords(live: readonly SubtaskRecords[], ended: readonly SubtaskRecords[]): Map<string, SubtaskRecords> {
  const bySubtask = new Map<string, SubtaskRecords>();
  for (const r of live) bySubtask.set(`${r.vertexId}/${r.subtask}`, r);
  for (const r of ended) bySubtask.set(`${r.vertexId}/${r.subtask}`, r);
  return bySubtask;
}

/** Per-vertex records in and out (subtaskRecords summed). */
export function vertexRecords(live: readonly SubtaskRecords[], ended: readonly SubtaskRecords[]): Map<string, { in: number; out: number }> {
  const out = new Map<string, { in: number; out: number }>();
  for (const r of subtaskRecords(live, ended).values()) {
    const v = out.get(r.vertexId) ?? { in: 0, out: 0 };
    v.in += r.in;
    v.out += r.out;
    out.set(r.vertexId, v);
  }
  return out;
}

/** Flink's levels: a backpressured ratio up to 0.1 is ok, up to 0.5 low, above that high. */
export function backpressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

/**
 * Flink's JobVertexBackPressureInfo. A vertex with no task metrics (its tasks are not
 * deployed, or ended) has no figures: Flink answers `{"status": "deprecated"}` then, with
 * no level, and so does this; a level of "ok" would claim a measurement nobody made.
 * Otherwise one entry per subtask that reports metrics, and the worst ratio's level.
 */
export function vertexBackPressure(times: readonly SubtaskTimes[] | undefined, now: number) {
  if (!times || times.length === 0) return { status: 'deprecated' as const };
  const subtasks = times.map((t) => {
    const ratio = t.backPressuredMsPerSecond / 1000;
    return { subtask: t.subtask, 'backpressure-level': backpressureLevel(ratio), ratio, idleRatio: t.idleMsPerSecond / 1000, busyRatio: t.busyMsPerSecond / 1000 };
  });
  const worst = Math.max(...subtasks.map((s) => s.ratio));
  return { status: 'ok' as const, 'backpressure-level': backpressureLevel(worst), 'end-timestamp': now, subtasks };
}
