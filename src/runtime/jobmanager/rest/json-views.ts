/** Flink's REST response shapes, built from JobMaster state. */
import type { JobMaster } from '../job-master.ts';
import type { JobStatus } from '../job-status.ts';
import { isGloballyTerminal } from '../job-status.ts';

const TASK_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'] as const;

/** How a job's status shows in its tasks' status counts. */
function taskState(job: JobStatus): (typeof TASK_STATES)[number] {
  switch (job) {
    case 'RUNNING':
      return 'RUNNING';
    case 'FINISHED':
      return 'FINISHED';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELED':
      return 'CANCELED';
    case 'CANCELLING':
      return 'CANCELING';
    case 'INITIALIZING':
      return 'INITIALIZING';
    default:
      return 'CREATED';
  }
}

function counts(total: number, state: (typeof TASK_STATES)[number]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of TASK_STATES) out[s.toLowerCase()] = s === state ? total : 0;
  return out;
}

function times(job: JobMaster, now: number) {
  const start = job.timestamps.get('INITIALIZING') ?? now;
  const terminal = isGloballyTerminal(job.status);
  const end = terminal ? job.timestamps.get(job.status)! : -1;
  const last = Math.max(...job.timestamps.values());
  return { 'start-time': start, 'end-time': end, duration: (terminal ? end : now) - start, 'last-modification': last };
}

export function jobOverview(job: JobMaster, now: number) {
  const total = job.plan.jobGraph.vertices.reduce((n, v) => n + v.parallelism, 0);
  const tasks = counts(total, taskState(job.status));
  return { jid: job.jobId, name: job.name, state: job.status, ...times(job, now), tasks: { total, ...tasks } };
}

/** `records`: per-vertex counts from metrics; without them, the in-process executor's. */
export function jobDetail(job: JobMaster, now: number, records?: ReadonlyMap<string, { in: number; out: number }>) {
  const metrics = job.vertexMetrics();
  const state = taskState(job.status);
  const t = times(job, now);
  const vertices = job.plan.jobGraph.vertices.map((v, i) => ({
    id: v.id,
    name: v.name,
    maxParallelism: v.maxParallelism,
    parallelism: v.parallelism,
    status: state,
    'start-time': t['start-time'],
    'end-time': t['end-time'],
    duration: t.duration,
    tasks: counts(v.parallelism, state),
    metrics: {
      'read-records': records?.get(v.id)?.in ?? metrics[i]?.recordsIn ?? 0,
      'read-records-complete': records?.has(v.id) ?? metrics[i] !== undefined,
      'write-records': records?.get(v.id)?.out ?? metrics[i]?.recordsOut ?? 0,
      'write-records-complete': records?.has(v.id) ?? metrics[i] !== undefined,
    },
  }));
  const total = vertices.reduce((n, v) => n + v.parallelism, 0);
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
    'status-counts': counts(total, state),
    plan: { jid: job.jobId, name: job.name, planHash: job.plan.jobGraph.planHash, nodes: job.plan.jobGraph.vertices, edges: job.plan.jobGraph.edges },
  };
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
