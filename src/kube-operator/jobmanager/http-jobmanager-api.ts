/**
 * The JobManagerApi over the JobManager's REST API (DESIGN section 4): the implementation
 * the operator runs with. It relies only on Flink's REST shapes, not on how Weir's
 * JobManager fills them.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { JobManagerApi, ObservedJob, SavepointThen, SnapshotKind, SnapshotOutcome, TaskCounts } from './jobmanager-api.ts';
import { RestVertexMetrics } from '../autoscaler/jobmanager-vertex-metrics.ts';
import type { ObservedVertex } from '../autoscaler/jobmanager-vertex-metrics.ts';

interface JobsOverview {
  jobs: { jid: string; name: string; state: string; 'start-time': number; tasks?: Partial<Record<keyof TaskCounts, unknown>> }[];
}

interface CheckpointStats {
  counts?: { completed?: number };
  latest?: { completed?: { latest_ack_timestamp?: number } | null };
}

interface OperationAnswer {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; checkpointId?: number; 'failure-cause'?: { 'stack-trace'?: string } };
}

interface JobExceptions {
  'root-exception': string | null;
}

const TASK_COUNT_FIELDS = ['total', 'created', 'scheduled', 'deploying', 'running', 'finished', 'canceling', 'canceled', 'failed', 'reconciling', 'initializing'] as const satisfies readonly (keyof TaskCounts)[];

export class HttpJobManagerApi implements JobManagerApi {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5_000,
  ) {}

  private async request<T>(method: string, path: string, payload?: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      const init = payload === undefined ? {} : { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
      response = await fetch(`${this.baseUrl}${path}`, { method, ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new WeirError('JOBMANAGER_UNREACHABLE', `cannot reach the JobManager at ${this.baseUrl}: ${errorMessage(err)}`, true, { cause: err });
    }
    const body = (await response.json().catch(() => ({}))) as T & { errors?: string[] };
    if (!response.ok) throw new WeirError('JOBMANAGER_REFUSED', `${method} ${path} answered ${response.status}: ${body.errors?.join('; ') ?? 'no detail'}`, response.status >= 500);
    return body;
  }

  async currentJob(): Promise<ObservedJob | undefined> {
    const { jobs } = await this.request<JobsOverview>('GET', '/jobs/overview');
    const newest = [...jobs].sort((a, b) => b['start-time'] - a['start-time'])[0];
    if (!newest) return undefined;
    const job: ObservedJob = { id: newest.jid, name: newest.name, state: newest.state, startTime: newest['start-time'], tasks: this.taskCounts(newest.jid, newest.tasks) };
    if (newest.state === 'RUNNING') {
      const stats = await this.request<CheckpointStats>('GET', `/jobs/${newest.jid}/checkpoints`);
      const at = stats.latest?.completed?.latest_ack_timestamp;
      job.checkpoints = { completed: stats.counts?.completed ?? 0, ...(at === undefined ? {} : { latestCompletedAt: at }) };
    }
    if (newest.state === 'FAILED') {
      const ex = await this.request<JobExceptions>('GET', `/jobs/${newest.jid}/exceptions`);
      if (ex['root-exception']) job.failureCause = ex['root-exception'].split('\n')[0];
    }
    return job;
  }

  vertexMetrics(jobId: string): Promise<ObservedVertex[]> {
    return new RestVertexMetrics(this.baseUrl, Date.now, this.timeoutMs).vertexMetrics(jobId);
  }

  async cancel(jobId: string): Promise<void> {
    await this.request('PATCH', `/jobs/${jobId}?mode=cancel`);
  }

  async triggerSavepoint(jobId: string, triggerId: string, then: SavepointThen): Promise<void> {
    if (then === 'stop') await this.request('POST', `/jobs/${jobId}/stop`, { triggerId });
    else await this.request('POST', `/jobs/${jobId}/savepoints`, { triggerId });
  }

  async triggerCheckpoint(jobId: string, triggerId: string): Promise<void> {
    await this.request('POST', `/jobs/${jobId}/checkpoints`, { triggerId });
  }

  async snapshotStatus(jobId: string, kind: SnapshotKind, triggerId: string): Promise<SnapshotOutcome> {
    let answer: OperationAnswer;
    try {
      answer = await this.request<OperationAnswer>('GET', `/jobs/${jobId}/${kind}s/${triggerId}`);
    } catch (err) {
      // A JobManager that never saw the trigger (or another JobManager since) does not know it.
      if (err instanceof WeirError && err.code === 'JOBMANAGER_REFUSED' && /answered 404/.test(err.message)) return { status: 'UNKNOWN' };
      throw err;
    }
    if (answer.status.id === 'IN_PROGRESS') return { status: 'IN_PROGRESS' };
    const failure = answer.operation?.['failure-cause'];
    if (failure) return { status: 'FAILED', error: failure['stack-trace'] ?? 'the snapshot failed' };
    return { status: 'COMPLETED', ...(answer.operation?.location === undefined ? {} : { location: answer.operation.location }), ...(answer.operation?.checkpointId === undefined ? {} : { checkpointId: answer.operation.checkpointId }) };
  }

  /** Counts the operator can trust: a JobManager that leaves one out is not taken as "all running". */
  private taskCounts(jobId: string, tasks: JobsOverview['jobs'][number]['tasks']): TaskCounts {
    const missing = TASK_COUNT_FIELDS.filter((f) => typeof tasks?.[f] !== 'number');
    if (!tasks || missing.length > 0) {
      throw new WeirError('JOBMANAGER_ANSWER_INVALID', `GET /jobs/overview from ${this.baseUrl}: job ${jobId} has no task count for ${missing.join(', ')}; the JobManager must report Flink's tasks {total, created, ..., initializing}`, false);
    }
    const counts = {} as TaskCounts;
    for (const f of TASK_COUNT_FIELDS) counts[f] = tasks[f] as number;
    return counts;
  }
}
