/**
 * Rates and time metrics: per-second rates are Flink's MeterView (60s window, updated every
 * 5s), exact under a VirtualClock; busy, idle and backpressured time come from the task
 * loop, checked by their relations under a real clock with a deliberately slow sink.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import type { Collector, Sink } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan, TaskGroup, VirtualClock } from '../../src/runtime/index.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import type { Sample } from '../../src/runtime/metrics/index.ts';

const TASK = 'flink_taskmanager_job_task_';
const OP = 'flink_taskmanager_job_task_operator_';

function values(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number[] {
  return findSamples(samples, name, labels).map((s) => s.value);
}

test('numRecordsIn/OutPerSecond: exact MeterView rates under a VirtualClock, idle time of a rate-limited source', async () => {
  // 100 records/s over two subtasks: each emits one record every 20ms of virtual time, for
  // 90s. The last update before the end (at 85s) sees (4250 - 1250) records over 60s.
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, 9000, { recordsPerSecond: 100 }), WatermarkStrategy.noWatermarks<number>(), 'gen')
      .map((i: number) => i + 1)
      .collect('out');
  });
  const plan = await buildJobPlan(job, { parallelism: 2 });
  const executor = new TaskGroup(plan, { clock: new VirtualClock(), metrics: true });
  const result = await executor.run();
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(result.collected.get('out')!.length, 9000);
  const samples = parsePrometheusText(await executor.metricRegistry!.metrics());

  assert.deepEqual(values(samples, `${TASK}numRecordsInPerSecond`), [50, 50]);
  assert.deepEqual(values(samples, `${TASK}numRecordsOutPerSecond`), [50, 50]);
  assert.deepEqual(values(samples, `${OP}numRecordsInPerSecond`), [50, 50, 50, 50, 50, 50], 'source, map and sink of both subtasks');
  assert.deepEqual(values(samples, `${TASK}numRecordsIn`), [4500, 4500]);
  // Processing takes no virtual time: the source waits for its next record all the time.
  assert.deepEqual(values(samples, `${TASK}idleTimeMsPerSecond`), [1000, 1000]);
  assert.deepEqual(values(samples, `${TASK}busyTimeMsPerSecond`), [0, 0]);
  assert.deepEqual(values(samples, `${TASK}backPressuredTimeMsPerSecond`), [0, 0]);
});

test('the rate ramps up over the first 60s as Flink\'s MeterView does', async () => {
  // 30s at 50 records/s per subtask; the last update (25s) has 1250 records over a 60s span.
  const job = defineJob((env) => {
    env.fromSource(new DataGeneratorSource((i) => i, 3000, { recordsPerSecond: 100 }), WatermarkStrategy.noWatermarks<number>(), 'gen').collect('out');
  });
  const executor = new TaskGroup(await buildJobPlan(job, { parallelism: 2 }), { clock: new VirtualClock(), metrics: true });
  assert.equal((await executor.run()).state, 'FINISHED');
  const samples = parsePrometheusText(await executor.metricRegistry!.metrics());
  assert.deepEqual(values(samples, `${TASK}numRecordsOutPerSecond`), [1250 / 60, 1250 / 60]);
});

test('a slow sink: the upstream task is backpressured, the sink busy', async () => {
  // Every record becomes 64 (so one source step fills more than the channel holds) and the
  // sink's writes resolve 5ms later. Views update every 100ms over 1s to keep the test short.
  const slowSink: Sink<number> = { createWriter: () => ({ write: () => new Promise<void>((resolve) => setTimeout(resolve, 5)) }) };
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, Infinity), WatermarkStrategy.noWatermarks<number>(), 'gen')
      .flatMap((i: number, out: Collector<number>) => {
        for (let k = 0; k < 64; k++) out.collect(i);
      })
      .rebalance()
      .sinkTo(slowSink, 'slow');
  });
  const plan = await buildJobPlan(job, { parallelism: 1 });
  const executor = new TaskGroup(plan, { metrics: { viewTiming: { intervalMs: 100, spanMs: 1000 } } });
  const done = executor.run();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const samples = parsePrometheusText(await executor.metricRegistry!.metrics());
  executor.cancel();
  const result = await done;
  assert.equal(result.state, 'CANCELED', result.error?.stack);

  const [up, sink] = plan.jobGraph.vertices.map((v) => ({ task_id: v.id }));
  const get = (name: string, task: { task_id: string }) => values(samples, `${TASK}${name}`, task)[0]!;
  const upBp = get('backPressuredTimeMsPerSecond', up!);
  const report = JSON.stringify(
    Object.fromEntries(['busyTimeMsPerSecond', 'idleTimeMsPerSecond', 'backPressuredTimeMsPerSecond'].map((n) => [n, [get(n, up!), get(n, sink!)]])),
  );
  assert.ok(upBp > 0, report);
  assert.ok(upBp > get('busyTimeMsPerSecond', up!) && upBp > get('idleTimeMsPerSecond', up!), `upstream mostly backpressured: ${report}`);
  assert.ok(get('busyTimeMsPerSecond', sink!) > get('idleTimeMsPerSecond', sink!), `sink mostly busy: ${report}`);
  assert.equal(get('backPressuredTimeMsPerSecond', sink!), 0, 'a sink has no output to wait for');
  // The three add up to one second, as Flink derives busy time from the other two.
  for (const t of [up!, sink!]) assert.equal(get('busyTimeMsPerSecond', t) + get('idleTimeMsPerSecond', t) + get('backPressuredTimeMsPerSecond', t), 1000);
  assert.ok(get('numRecordsInPerSecond', sink!) > 0);
});
