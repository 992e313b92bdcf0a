/**
 * Flink's REST response shapes, built from JobMaster state. Task counts, vertex states and
 * vertex times are the subtasks' real ExecutionStates and when they entered them (a job can
 * be RUNNING while its tasks wait for a slot, or after its only TaskManager died), never
 * derived from the job's status.
 */
import type { JobMaster } from '../job-master.ts';
import type { SourceDescription } from '../../../api/source.ts';
import { isGloballyTerminal } from '../job-status.ts';
import { countExecutionStates, vertexExecutionState } from '../../task/execution-state.ts';
import { subtaskTimes, vertexTimes } from '../subtask-states.ts';

function times(job: JobMaster, now: number) {
  const start = job.timestamps.get('INITIALIZING') ?? now;
  const terminal = isGloballyTerminal(job.status);
  const end = terminal ? job.timestamps.get(job.status)! : -1;
  const last = Math.max(...job.timestamps.values());
  return { 'start-time': start, 'end-time': end, duration: (terminal ? end : now) - start, 'last-modification': last };
}

export function jobOverview(job: JobMaster, now: number) {
  const states = [...job.subtaskStates().values()].flat();
  return { jid: job.jobId, name: job.name, state: job.status, ...times(job, now), tasks: { total: states.length, ...countExecutionStates(states) } };
}

/** `records`: per-vertex counts from metrics; without them, the in-process executor's. */
export function jobDetail(job: JobMaster, now: number, records?: ReadonlyMap<string, { in: number; out: number }>) {
  const metrics = job.vertexMetrics();
  const states = job.subtaskStates();
  const stamps = job.subtaskTimestamps();
  const t = times(job, now);
  const vertices = job.plan.jobGraph.vertices.map((v, i) => ({
    id: v.id,
    name: v.name,
    maxParallelism: v.maxParallelism,
    parallelism: v.parallelism,
    ...sourceOf(job, v.id),
    status: vertexExecutionState(states.get(v.id) ?? []),
    ...vertexTimes(states.get(v.id) ?? [], stamps.get(v.id) ?? [], now),
    tasks: countExecutionStates(states.get(v.id) ?? []),
    metrics: {
      'read-records': records?.get(v.id)?.in ?? metrics[i]?.recordsIn ?? 0,
      'read-records-complete': records?.has(v.id) ?? metrics[i] !== undefined,
      'write-records': records?.get(v.id)?.out ?? metrics[i]?.recordsOut ?? 0,
      'write-records-complete': records?.has(v.id) ?? metrics[i] !== undefined,
    },
  }));
  return {
    jid: job.jobId,
    name: job.name,
    isStoppable: false,
    state: job.status,
    'start-time': t['start-time'],
    'end-time': t['end-time'],
    duration: t.duration,
    maxParallelism: Math.max(...vertices.map((v) => v.maxParallelism)),
    now,
    timestamps: Object.fromEntries(job.timestamps),
    vertices,
    'status-counts': countExecutionStates([...states.values()].flat()),
    plan: { jid: job.jobId, name: job.name, planHash: job.plan.jobGraph.planHash, nodes: job.plan.jobGraph.vertices, edges: job.plan.jobGraph.edges },
  };
}

/**
 * Flink's JobVertexDetailsInfo: each subtask's own ExecutionState, times and records.
 * `records` holds the subtasks that report (or reported) counts, by `vertexId/subtask`; a
 * subtask without counts says so (`read-records-complete: false`). Flink's per-subtask
 * host, endpoint and taskmanager-id are left out: the JobManager does not keep them.
 */
export function vertexDetail(job: JobMaster, vertexId: string, now: number, records: ReadonlyMap<string, { in: number; out: number }>) {
  const v = job.plan.jobGraph.vertices.find((x) => x.id === vertexId);
  if (!v) return undefined;
  const states = job.subtaskStates().get(v.id) ?? [];
  const stamps = job.subtaskTimestamps().get(v.id) ?? [];
  const subtasks = Array.from({ length: v.parallelism }, (_, subtask) => {
    const r = records.get(`${v.id}/${subtask}`);
    const status = states[subtask] ?? 'CREATED';
    return {
      subtask,
      status,
      attempt: job.attemptNumber,
      ...subtaskTimes(status, stamps[subtask], now),
      metrics: { 'read-records': r?.in ?? 0, 'read-records-complete': r !== undefined, 'write-records': r?.out ?? 0, 'write-records-complete': r !== undefined },
    };
  });
  return { id: v.id, name: v.name, maxParallelism: v.maxParallelism, parallelism: v.parallelism, now, subtasks };
}

export function jobExceptions(job: JobMaster) {
  const entries = [...job.exceptions].reverse().map((e) => ({
    exceptionName: e.exceptionName,
    stacktrace: e.stacktrace,
    timestamp: e.timestamp,
    taskName: e.taskName ?? null,
    location: null,
    errorCode: e.code,
    failureLabels: {},
    concurrentExceptions: [],
  }));
  const root = job.exceptions.at(-1);
  return {
    exceptionHistory: { entries, truncated: false },
    'root-exception': root ? root.stacktrace : null,
    timestamp: root ? root.timestamp : null,
    'all-exceptions': [],
    truncated: false,
  };
}

/** Weir's addition to Flink's vertex: what a source vertex reads, when its source says (Source.describe). */
function sourceOf(job: JobMaster, vertexId: string): { source?: SourceDescription } {
  const head = job.plan.chains.get(vertexId)?.[0]?.transformation;
  const description = head?.type === 'source' ? head.source.describe?.() : undefined;
  return description === undefined ? {} : { source: description };
}
