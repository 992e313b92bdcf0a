/**
 * Metrics for the subtasks of one TaskGroup: reads the counters the runtime keeps
 * (task records in, record writers' records out, source and sink counts, window late
 * drops), counts chained operators' input per batch, and measures each task's busy, idle and
 * backpressured time from the task loop (task-times.ts says how).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JobVertex } from '../graph/job-graph.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { SinkOperator } from '../operators/sink-operator.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { Clock } from '../task/clock.ts';
import type { StreamTask } from '../task/stream-task.ts';
import { registerJobMetrics, uptimeMs } from './job-metrics.ts';
import { MeteredInput } from './metered-input.ts';
import { MetricRegistry } from './registry.ts';
import { registerTaskMetrics } from './task-metric-group.ts';
import { OPERATOR_SCOPE, filterLabelValue, operatorLabels } from './scope.ts';
import type { OperatorProbe } from './task-metric-group.ts';
import { BACK_PRESSURED, IDLE, READY, TaskTimes } from './task-times.ts';
import type { TaskTimeState } from './task-times.ts';
import { FLINK_VIEW_TIMING, ViewUpdater } from './views.ts';
import type { ViewTiming } from './views.ts';

export interface TaskMetricsOptions {
  /** Share one registry between jobs and servers; a new one is created otherwise. */
  registry?: MetricRegistry;
  /** Flink's job_id: 32 hex characters (random when omitted). */
  jobId?: string;
  /** `host` label (default: this machine's host name). */
  host?: string;
  /** `tm_id` label: the TaskManager's resource id (default "local"). */
  tmId?: string;
  /** Attempt number of these subtasks (`task_attempt_num`, default 0). */
  attemptNumber?: number;
  /** Register numRestarts and uptime (default true); false when a JobMaster registers them. */
  jobMetrics?: boolean;
  /** Flink's 5s update interval and 60s window by default; tests shorten them. */
  viewTiming?: ViewTiming;
}

/** The writers a task's operator i emits to: main outputs and side outputs. */
export interface OperatorWriters {
  readonly main: readonly (readonly RecordWriter[])[];
  readonly sides: readonly ReadonlyMap<string, readonly RecordWriter[]>[];
}

interface WindowCounters {
  numLateRecordsDropped: number;
}

function hasLateDrops(op: StreamOperator): op is StreamOperator & WindowCounters {
  return typeof (op as Partial<WindowCounters>).numLateRecordsDropped === 'number';
}

function sum(writers: readonly RecordWriter[]): number {
  let n = 0;
  for (const w of writers) n += w.recordsOut;
  return n;
}

export class ExecutorMetrics {
  readonly registry: MetricRegistry;
  readonly jobId: string;
  private readonly updater: ViewUpdater;
  /** Busy/idle time uses the job's clock when virtual (deterministic tests), else a monotonic one. */
  private readonly now: () => number;
  private readonly times = new Map<StreamTask, TaskTimes>();
  private readonly metered = new Map<StreamOperator, MeteredInput>();
  private readonly removers: (() => void)[] = [];
  private status = 'CREATED';
  private runningSince: number | undefined;

  constructor(
    private readonly jobName: string,
    private readonly clock: Clock,
    private readonly options: TaskMetricsOptions = {},
  ) {
    this.registry = options.registry ?? new MetricRegistry();
    this.jobId = options.jobId ?? randomBytes(16).toString('hex');
    this.now = clock.virtual ? () => clock.now() : () => performance.now();
    this.updater = new ViewUpdater(this.now, options.viewTiming ?? FLINK_VIEW_TIMING);
    if (options.jobMetrics ?? true) {
      const vars = { host: this.host, jobId: this.jobId, jobName };
      this.removers.push(registerJobMetrics(this.registry, vars, { numRestarts: () => 0, uptime: () => uptimeMs(this.status, this.runningSince, clock.now()) }));
    }
  }

  private get host(): string {
    return this.options.host ?? hostname();
  }

  /** What a ChainedOutput should feed instead of `op`, so op's input is counted. */
  meterInput(op: StreamOperator): StreamOperator {
    const m = new MeteredInput(op);
    this.metered.set(op, m);
    return m;
  }

  /** Call once the task's operators are wired (after every meterInput for its chain). */
  addTask(task: StreamTask, vertex: JobVertex, writers: OperatorWriters): void {
    const times = new TaskTimes(this.now());
    this.times.set(task, times);
    // Async writes a sink step starts end outside the loop; the task reports them itself.
    task.ownWorkTimer = { begin: () => times.beginWork(this.tickAt()), end: () => times.endWork(this.tickAt()) };
    const source = task.source;
    const last = task.operators[task.operators.length - 1];
    const operators = task.operators.map((op, i) => this.operatorProbe(task, op, i, writers));
    const probe = {
      recordsIn: source ? () => source.recordsOut : () => task.recordsIn,
      recordsOut: last instanceof SinkOperator ? () => last.recordsWritten : () => sum(task.writers),
      inputWatermark: () => task.inputWatermark,
      checkpointAlignmentTime: () => Math.round(task.lastAlignmentDurationMs * 1e6),
      times,
      operators,
    };
    const vars = {
      host: this.host,
      tmId: this.options.tmId ?? 'local',
      jobId: this.jobId,
      jobName: this.jobName,
      taskId: vertex.id,
      taskName: vertex.name,
      taskAttemptId: randomBytes(16).toString('hex'),
      taskAttemptNum: this.options.attemptNumber ?? 0,
      subtaskIndex: task.subtaskIndex,
    };
    this.removers.push(registerTaskMetrics(this.registry, this.updater, vars, probe));
    if (source) {
      const opLabels = operatorLabels(vars, { operatorId: source.setup.operatorId, operatorName: source.setup.name }, this.registry.filterLabelValues);
      const filter = this.registry.filterLabelValues;
      source.metricGroup.bind((name, labels, read) => {
        const extra = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, filter ? filterLabelValue(v) : v]));
        return this.registry.gauge(OPERATOR_SCOPE, name, { ...opLabels, ...extra }, read);
      });
      this.removers.push(() => source.metricGroup.unbind());
    }
  }

  private operatorProbe(task: StreamTask, op: StreamOperator, i: number, writers: OperatorWriters): OperatorProbe {
    const meta = { id: op.setup.operatorId, name: op.setup.name };
    const sides = [...(writers.sides[i]?.values() ?? [])].flat();
    // Each main writer of an operator sees every record it emits; count them once.
    const mainWriter = writers.main[i]?.[0];
    const next = this.metered.get(task.operators[i + 1]!);
    const mainOut = op instanceof SinkOperator ? () => op.recordsWritten : next ? () => next.recordsIn : mainWriter ? () => mainWriter.recordsOut : () => 0;
    const recordsOut = sides.length === 0 ? mainOut : () => mainOut() + sum(sides);
    const late = hasLateDrops(op) ? () => op.numLateRecordsDropped : undefined;
    const input = this.metered.get(op);
    if (input) return { ...meta, recordsIn: () => input.recordsIn, recordsOut, inputWatermark: () => input.inputWatermark, lateRecordsDropped: late };
    const recordsIn = op instanceof SourceOperator ? () => op.recordsOut : () => task.recordsIn;
    const inputWatermarks = task.valves.length > 1 ? task.valves.map((v) => () => v.current) : undefined;
    return { ...meta, recordsIn, recordsOut, inputWatermark: () => task.inputWatermark, inputWatermarks, lateRecordsDropped: late };
  }

  /** The task loop: run the view updates that are due. */
  tick(): void {
    this.updater.tick();
  }

  /**
   * The task loop: `task` cannot run now (runnable false), or could but waits for its turn.
   * Flink's order applies: a task whose output has no capacity is backpressured, otherwise
   * one without work is idle. A task waiting for its own writes is neither.
   */
  observe(task: StreamTask, runnable: boolean): void {
    this.times.get(task)?.enter(this.stateOf(task, runnable), this.tickAt());
  }

  /** The task loop: `task` starts its own work (a step, its timers, its control messages). */
  working(task: StreamTask): void {
    const times = this.times.get(task);
    if (!times) return;
    const now = this.tickAt();
    times.enter(READY, now);
    times.beginWork(now);
  }

  /** The task loop: `task`'s work ended; `runnable` says whether it could run again at once. */
  worked(task: StreamTask, runnable: boolean): void {
    const times = this.times.get(task);
    if (!times) return;
    const now = this.tickAt();
    times.endWork(now);
    times.enter(this.stateOf(task, runnable), now);
  }

  /**
   * The time now, after the view updates due by then: a view then reads each time total as it
   * stood at its due time, and busy + idle + backpressured never exceeds the interval.
   */
  private tickAt(): number {
    const now = this.now();
    this.updater.tick(now);
    return now;
  }

  private stateOf(task: StreamTask, runnable: boolean): TaskTimeState {
    if (runnable || task.isBlockedOnOwnWork()) return READY;
    return !task.finished && !task.writersHaveCapacity() ? BACK_PRESSURED : IDLE;
  }

  started(): void {
    this.status = 'RUNNING';
    this.runningSince = this.clock.now();
  }

  /** The job ended: views keep their last values and uptime reads -1. */
  ended(status: string): void {
    this.status = status;
    this.updater.stop();
  }

  /** Removes every metric of this executor from the registry (before a new attempt registers). */
  close(): void {
    for (const remove of this.removers.splice(0)) remove();
  }
}
