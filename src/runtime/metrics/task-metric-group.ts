/**
 * One subtask's metrics and its operators' (Flink's TaskMetricGroup, TaskIOMetricGroup and
 * OperatorMetricGroup): what to read for each name, registered with Flink's labels. The
 * probes read plain number fields the runtime keeps anyway; rates and times-per-second are
 * views updated every interval. busyTimeMsPerSecond is the time the task spent on its own
 * work, so records in per second over busy seconds is what the task can process.
 */
import type { MetricRegistry } from './registry.ts';
import { OPERATOR_SCOPE, TASK_SCOPE, operatorLabels, taskLabels, watermarkValue } from './scope.ts';
import type { Labels, MetricScope, TaskScopeVariables } from './scope.ts';
import { BACK_PRESSURED, IDLE } from './task-times.ts';
import type { TaskTimes } from './task-times.ts';
import { MeterView, TimerView } from './views.ts';
import type { ViewUpdater } from './views.ts';

export interface OperatorProbe {
  readonly id: string;
  readonly name: string;
  recordsIn(): number;
  recordsOut(): number;
  inputWatermark(): number;
  /** Per input of a two-input operator: currentInput1Watermark, currentInput2Watermark. */
  readonly inputWatermarks?: readonly (() => number)[];
  /** Window operators only. */
  readonly lateRecordsDropped?: () => number;
  /** The keyed state backend's own gauges (RocksDB's, when enabled), by metric name. */
  readonly stateGauges?: ReadonlyMap<string, () => number>;
}

export interface TaskProbe {
  recordsIn(): number;
  recordsOut(): number;
  inputWatermark(): number;
  /** Nanoseconds the last checkpoint's barriers took to align at the task's inputs (Flink's checkpointAlignmentTime). */
  checkpointAlignmentTime(): number;
  readonly times: TaskTimes;
  readonly operators: readonly OperatorProbe[];
}

/** Registers the subtask's metrics; returns the function that removes them all. */
export function registerTaskMetrics(registry: MetricRegistry, updater: ViewUpdater, vars: TaskScopeVariables, probe: TaskProbe): () => void {
  const removers: (() => void)[] = [];
  const add = (scope: MetricScope, labels: Labels, name: string, read: () => number) => removers.push(registry.gauge(scope, name, labels, read));
  // A view is read after the updates due by now, so a scrape never sees a stale interval.
  const fresh = (read: () => number) => () => {
    updater.tick();
    return read();
  };
  const timing = updater.timing;

  const task = taskLabels(vars, registry.filterLabelValues);
  addIo(TASK_SCOPE, task, probe);
  // Three quantities measured apart (task-times.ts), not busy as 1000 minus the other two as
  // Flink derives it: tasks share a thread here, and a task waiting for its turn is not busy.
  // Their sum falls short of 1000 by the time the thread ran other tasks.
  const idle = updater.add(new TimerView((at) => probe.times.accumulated(IDLE, at), timing));
  const backPressured = updater.add(new TimerView((at) => probe.times.accumulated(BACK_PRESSURED, at), timing));
  const busy = updater.add(new TimerView((at) => probe.times.busy(at), timing));
  add(TASK_SCOPE, task, 'idleTimeMsPerSecond', fresh(() => idle.value));
  add(TASK_SCOPE, task, 'backPressuredTimeMsPerSecond', fresh(() => backPressured.value));
  add(TASK_SCOPE, task, 'busyTimeMsPerSecond', fresh(() => busy.value));
  add(TASK_SCOPE, task, 'currentInputWatermark', () => watermarkValue(probe.inputWatermark()));
  add(TASK_SCOPE, task, 'checkpointAlignmentTime', () => probe.checkpointAlignmentTime());

  for (const op of probe.operators) {
    const labels = operatorLabels(vars, { operatorId: op.id, operatorName: op.name }, registry.filterLabelValues);
    addIo(OPERATOR_SCOPE, labels, op);
    add(OPERATOR_SCOPE, labels, 'currentInputWatermark', () => watermarkValue(op.inputWatermark()));
    op.inputWatermarks?.forEach((read, i) => add(OPERATOR_SCOPE, labels, `currentInput${i + 1}Watermark`, () => watermarkValue(read())));
    const late = op.lateRecordsDropped;
    if (late) add(OPERATOR_SCOPE, labels, 'numLateRecordsDropped', late);
    op.stateGauges?.forEach((read, name) => add(OPERATOR_SCOPE, labels, name, read));
  }
  return () => removers.forEach((remove) => remove());

  function addIo(scope: MetricScope, labels: Labels, io: { recordsIn(): number; recordsOut(): number }): void {
    const inRate = updater.add(new MeterView(() => io.recordsIn(), timing));
    const outRate = updater.add(new MeterView(() => io.recordsOut(), timing));
    add(scope, labels, 'numRecordsIn', () => io.recordsIn());
    add(scope, labels, 'numRecordsOut', () => io.recordsOut());
    add(scope, labels, 'numRecordsInPerSecond', fresh(() => inRate.rate));
    add(scope, labels, 'numRecordsOutPerSecond', fresh(() => outRate.rate));
  }
}
