/**
 * Flink's aggregated subtask metrics, `GET /jobs/:id/vertices/:vid/subtasks/metrics`:
 * without `get`, the ids of the task metrics the vertex's subtasks report; with
 * `get=a,b`, each one's min, max, avg and sum over the subtasks (or those `agg` names), of
 * all subtasks or those listed in `subtasks=0,2`. This is what Flink's autoscaler reads
 * (busyTimeMsPerSecond, backPressuredTimeMsPerSecond, numRecordsInPerSecond), and Weir's.
 * Read from the same merged Prometheus text as every other figure of the REST API.
 * Operator metrics are there too under Flink's ids, `<operator name>.<metric>`, a user-scope
 * key/value group put back into the id (`Source__in.KafkaSourceReader.topic.t.partition.0.currentOffset`):
 * autoscalers find a source's `pendingRecords` and its partitions by these ids.
 */
import { parsePrometheusText } from '../../metrics/index.ts';
import { HttpError } from './http.ts';

const TASK_PREFIX = 'flink_taskmanager_job_task_';
const OPERATOR_PREFIX = 'flink_taskmanager_job_task_operator_';
const AGGREGATES = ['min', 'max', 'avg', 'sum'] as const;
type Aggregate = (typeof AGGREGATES)[number];

export type AggregatedMetric = { id: string } & Partial<Record<Aggregate, number>>;

export function aggregatedSubtaskMetrics(metricsText: string, jobId: string, vertexId: string, query: URLSearchParams): AggregatedMetric[] {
  const subtasks = listParam(query, 'subtasks')?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `subtasks must list subtask indexes, e.g. subtasks=0,1; "${s}" is not one`);
    return String(n);
  });
  const aggregates = (listParam(query, 'agg') ?? [...AGGREGATES]).map((a) => {
    if (!(AGGREGATES as readonly string[]).includes(a)) throw new HttpError(400, `agg "${a}" is unknown; use ${AGGREGATES.join(', ')}`);
    return a as Aggregate;
  });
  const values = new Map<string, number[]>();
  for (const s of parsePrometheusText(metricsText)) {
    if (!s.name.startsWith(TASK_PREFIX)) continue;
    if (s.labels.job_id !== jobId || s.labels.task_id !== vertexId) continue;
    if (subtasks && !subtasks.includes(s.labels.subtask_index ?? '')) continue;
    const id = s.name.startsWith(OPERATOR_PREFIX) ? operatorMetricId(s.name.slice(OPERATOR_PREFIX.length), s.labels) : s.name.slice(TASK_PREFIX.length);
    if (id === undefined) continue;
    const seen = values.get(id);
    if (seen) seen.push(s.value);
    else values.set(id, [s.value]);
  }
  const get = listParam(query, 'get');
  if (get === undefined) return [...values.keys()].sort().map((id) => ({ id }));
  // As Flink: a requested metric no subtask reports is left out of the answer.
  return get.filter((id) => values.has(id)).map((id) => aggregate(id, values.get(id)!, aggregates));
}

/** The labels every operator metric has; any other label is a user-scope key/value group. */
const OPERATOR_LABELS = new Set(['host', 'tm_id', 'job_id', 'job_name', 'task_id', 'task_name', 'task_attempt_id', 'task_attempt_num', 'subtask_index', 'operator_id', 'operator_name']);

/**
 * Flink's id of an operator metric in its REST API, from the name and labels its Prometheus
 * reporter gives it: a key/value group (`addGroup("topic", t)`) is a `topic` segment of the
 * name plus a `topic` label, and in the id `topic.<t>`. Undefined without an operator name.
 */
export function operatorMetricId(name: string, labels: Readonly<Record<string, string>>): string | undefined {
  const operator = labels.operator_name;
  if (operator === undefined) return undefined;
  let id = '';
  let dotted = false;
  for (const segment of name.split('_')) {
    const value = OPERATOR_LABELS.has(segment) ? undefined : labels[segment];
    const group = value === undefined ? segment : `${segment}.${value}`;
    id += id === '' ? group : `${dotted || value !== undefined ? '.' : '_'}${group}`;
    dotted = value !== undefined;
  }
  return `${operator}.${id}`;
}

function aggregate(id: string, xs: readonly number[], aggregates: readonly Aggregate[]): AggregatedMetric {
  const sum = xs.reduce((a, b) => a + b, 0);
  const all: Record<Aggregate, number> = { min: Math.min(...xs), max: Math.max(...xs), avg: sum / xs.length, sum };
  return { id, ...Object.fromEntries(aggregates.map((a) => [a, all[a]])) };
}

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name);
  return raw === null ? undefined : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
