/**
 * Flink's metric scopes and labels as its Prometheus reporter exports them: the name is
 * `flink_<logical scope>_<metric>` and every variable of the metric's group becomes a label
 * (`<job_id>` -> `job_id`), so dashboards and alerts written for Flink work on Weir.
 */

/** Logical scopes (Flink's TaskMetricGroup, OperatorMetricGroup, JobManagerJobMetricGroup). */
export const TASK_SCOPE = 'taskmanager_job_task';
export const OPERATOR_SCOPE = 'taskmanager_job_task_operator';
export const JOB_SCOPE = 'jobmanager_job';
export type MetricScope = typeof TASK_SCOPE | typeof OPERATOR_SCOPE | typeof JOB_SCOPE;

export type Labels = Readonly<Record<string, string>>;

/** Flink truncates operator names in metrics to this many characters (TaskMetricGroup). */
export const OPERATOR_NAME_MAX_LENGTH = 80;

/**
 * Flink's Long.MIN_VALUE / Long.MAX_VALUE watermarks ("none yet", "end of input") as the
 * doubles its reporter exports: -2^63 and 2^63 (Long.MAX_VALUE rounds up to it).
 */
export const LONG_MIN_VALUE = -(2 ** 63);
export const LONG_MAX_VALUE = 2 ** 63;

export function metricName(scope: MetricScope, name: string): string {
  return `flink_${scope}_${name}`;
}

/** Flink's reporter help text: `numRecordsIn (scope: taskmanager_job_task)`. */
export function metricHelp(scope: MetricScope, name: string): string {
  return `${name} (scope: ${scope})`;
}

/**
 * Flink's reporter replaces every character outside [a-zA-Z0-9_] in label values with '_'
 * (metrics.reporter.prom.filterLabelValueCharacters, default true): a task named
 * `Source: gen -> Map` is exported as `Source__gen____Map`.
 */
export function filterLabelValue(value: string): string {
  return value.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Watermarks as Flink reports them: longs, with Long.MIN_VALUE before the first one. */
export function watermarkValue(ts: number): number {
  if (ts === -Infinity) return LONG_MIN_VALUE;
  if (ts === Infinity) return LONG_MAX_VALUE;
  return ts;
}

/** The variables of a job on a TaskManager (TaskManagerJobMetricGroup). */
export interface JobScopeVariables {
  readonly host: string;
  readonly jobId: string;
  readonly jobName: string;
}

/** The variables of one subtask (TaskMetricGroup): `task_id` is the vertex id, as in Flink. */
export interface TaskScopeVariables extends JobScopeVariables {
  readonly tmId: string;
  readonly taskId: string;
  readonly taskName: string;
  readonly taskAttemptId: string;
  readonly taskAttemptNum: number;
  readonly subtaskIndex: number;
}

export interface OperatorScopeVariables {
  readonly operatorId: string;
  readonly operatorName: string;
}

function filtered(labels: Record<string, string>, filter: boolean): Labels {
  if (!filter) return labels;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[k] = filterLabelValue(v);
  return out;
}

export function jobLabels(v: JobScopeVariables, filter = true): Labels {
  return filtered({ host: v.host, job_id: v.jobId, job_name: v.jobName }, filter);
}

export function taskLabels(v: TaskScopeVariables, filter = true): Labels {
  return filtered(
    {
      host: v.host,
      tm_id: v.tmId,
      job_id: v.jobId,
      job_name: v.jobName,
      task_id: v.taskId,
      task_name: v.taskName,
      task_attempt_id: v.taskAttemptId,
      task_attempt_num: String(v.taskAttemptNum),
      subtask_index: String(v.subtaskIndex),
    },
    filter,
  );
}

export function operatorLabels(task: TaskScopeVariables, op: OperatorScopeVariables, filter = true): Labels {
  return {
    ...taskLabels(task, filter),
    ...filtered({ operator_id: op.operatorId, operator_name: op.operatorName.slice(0, OPERATOR_NAME_MAX_LENGTH) }, filter),
  };
}
