/**
 * Per-vertex metrics from the JobManager's REST API, as the decision reads them: the job's
 * vertices and edges from `GET /jobs/:id` (parallelism, max parallelism, which vertices read
 * keyed state, who feeds whom) and, per vertex, Flink's aggregated subtask metrics: records
 * in and out per second summed over subtasks, busy and backpressured time averaged; for a
 * source vertex also the ids its subtasks report and its readers' pendingRecords summed, the
 * lag when the operator cannot ask the brokers (source-lag-readers.ts). It relies only on
 * Flink's REST shapes, so it reads a Flink JobManager as well.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { VertexObservation, VertexSample } from './scaling-inputs.ts';
import { pendingRecordsIds } from './source-lag.ts';
import type { ReportedSourceMetrics } from './source-lag.ts';

/**
 * A vertex as of one collection; the caller keeps the samples' history. `source`: what a
 * source vertex says it reads (Weir's `source` field of the vertex, absent from Flink's);
 * `reported`: a source vertex's lag metrics (pendingRecords, partitions' currentOffset).
 */
export type ObservedVertex = Omit<VertexObservation, 'samples' | 'partitions'> & { sample: VertexSample; source?: Readonly<Record<string, unknown>>; reported?: ReportedSourceMetrics };

export interface VertexMetricsCollector {
  vertexMetrics(jobId: string): Promise<ObservedVertex[]>;
}

interface JobDetail {
  vertices: { id: string; name: string; parallelism: number; maxParallelism: number; source?: Record<string, unknown> }[];
  plan: { edges: { source: string; target: string; partitioner: string }[] };
}

type Aggregated = { id: string; sum?: number; avg?: number }[];

/** The ids a source's lag is read from; a Kafka source reports several per partition, the rest is left out. */
const LAG_METRIC_ID = /\.(pendingRecords|currentOffset)$/;

const METRICS = ['numRecordsInPerSecond', 'numRecordsOutPerSecond', 'busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond'] as const;

export class RestVertexMetrics implements VertexMetricsCollector {
  constructor(
    readonly baseUrl: string,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = 5_000,
  ) {}

  async vertexMetrics(jobId: string): Promise<ObservedVertex[]> {
    const detail = await this.get<JobDetail>(`/jobs/${jobId}`);
    const at = this.now();
    const edges = detail.plan?.edges ?? [];
    return Promise.all(
      detail.vertices.map(async (v) => {
        const incoming = edges.filter((e) => e.target === v.id);
        const path = `/jobs/${jobId}/vertices/${v.id}/subtasks/metrics`;
        // A source's lag metrics are found by listing its ids, as Flink's autoscaler does.
        const lagIds = incoming.length > 0 ? [] : (await this.get<Aggregated>(path)).map((m) => m.id).filter((id) => LAG_METRIC_ID.test(id));
        const wanted = [...METRICS, ...pendingRecordsIds(lagIds)];
        const metrics = await this.get<Aggregated>(`${path}?get=${wanted.map(encodeURIComponent).join(',')}&agg=sum,avg`);
        const of = (id: (typeof METRICS)[number], agg: 'sum' | 'avg') => {
          const value = metrics.find((m) => m.id === id)?.[agg];
          if (typeof value !== 'number') throw new WeirError('VERTEX_METRICS_UNAVAILABLE', `vertex ${v.name} (${v.id}) of job ${jobId} reports no ${id} at ${this.baseUrl}: its tasks are not running`, true);
          return value;
        };
        const sums = Object.fromEntries(metrics.filter((m) => !(METRICS as readonly string[]).includes(m.id) && typeof m.sum === 'number').map((m) => [m.id, m.sum!]));
        return {
          id: v.id,
          name: v.name,
          parallelism: v.parallelism,
          maxParallelism: v.maxParallelism,
          keyed: incoming.some((e) => e.partitioner === 'hash'),
          inputs: [...new Set(incoming.map((e) => e.source))],
          ...(v.source !== undefined && typeof v.source === 'object' ? { source: v.source } : {}),
          ...(lagIds.length > 0 ? { reported: { ids: lagIds, sums } } : {}),
          sample: {
            at,
            recordsInPerSecond: of('numRecordsInPerSecond', 'sum'),
            recordsOutPerSecond: of('numRecordsOutPerSecond', 'sum'),
            busyTimeMsPerSecond: of('busyTimeMsPerSecond', 'avg'),
            backPressuredTimeMsPerSecond: of('backPressuredTimeMsPerSecond', 'avg'),
          },
        };
      }),
    );
  }

  private async get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new WeirError('JOBMANAGER_UNREACHABLE', `cannot reach the JobManager at ${this.baseUrl}: ${errorMessage(err)}`, true, { cause: err });
    }
    const body = (await response.json().catch(() => ({}))) as T & { errors?: string[] };
    if (!response.ok) throw new WeirError('JOBMANAGER_REFUSED', `GET ${path} answered ${response.status}: ${body.errors?.join('; ') ?? 'no detail'}`, response.status >= 500);
    return body;
  }
}
