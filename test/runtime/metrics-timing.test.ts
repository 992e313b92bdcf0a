/**
 * Rates and time metrics: per-second rates are Flink's MeterView (60s window, updated every
 * 5s), exact under a VirtualClock; busy, idle and backpressured time come from the task
 * loop, checked by their relations under a real clock with a deliberately slow sink
 * (metrics-busy-time.test.ts checks exact values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import type { Collector, Sink } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan, TaskGroup, VirtualClock } from '../../src/runtime/index.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import type { Sample } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';

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
  const [up, sink] = plan.jobGraph.vertices.map((v) => ({ task_id: v.id }));
  const names = ['busyTimeMsPerSecond', 'idleTimeMsPerSecond', 'backPressuredTimeMsPerSecond', 'numRecordsInPerSecond'] as const;
  type Times = Record<(typeof names)[number], number>;
  const read = (samples: readonly Sample[], task: { task_id: string }): Times =>
    Object.fromEntries(names.map((n) => [n, values(samples, `${TASK}${n}`, task)[0] ?? 0])) as Times;
  // Waits for the views to show the steady state; on a busy machine that can take a while.
  let seen: { up: Times; sink: Times } | undefined;
  const { up: u, sink: s } = await eventually(
    async () => {
      const samples = parsePrometheusText(await executor.metricRegistry!.metrics());
      seen = { up: read(samples, up!), sink: read(samples, sink!) };
      const steady =
        seen.up.backPressuredTimeMsPerSecond > seen.up.busyTimeMsPerSecond &&
        seen.up.backPressuredTimeMsPerSecond > seen.up.idleTimeMsPerSecond &&
        seen.sink.busyTimeMsPerSecond > seen.sink.idleTimeMsPerSecond &&
        seen.sink.numRecordsInPerSecond > 0;
      return steady ? seen : undefined;
    },
    30_000,
    'upstream mostly backpressured and the sink mostly busy',
    () => seen,
  );
  executor.cancel();
  const result = await done;
  assert.equal(result.state, 'CANCELED', result.error?.stack);
  assert.equal(s.backPressuredTimeMsPerSecond, 0, 'a sink has no output to wait for');
  // Measured apart, the three cover at most the whole second; what is left is the time the
  // task could run while the thread ran the other one (each view rounds down).
  for (const t of [u, s]) assert.ok(t.busyTimeMsPerSecond + t.idleTimeMsPerSecond + t.backPressuredTimeMsPerSecond <= 1000, JSON.stringify({ up: u, sink: s }));
});
