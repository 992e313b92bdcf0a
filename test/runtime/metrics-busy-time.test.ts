/**
 * busyTimeMsPerSecond is measured, not derived: the time a task spends on its own work.
 * Under a VirtualClock, work takes exactly the virtual time a user function moves the clock
 * on, so busy, idle and backpressured time have exact expected values; tasks sharing the
 * thread with a busy one must not count its time as theirs. A last test checks the same
 * under the real clock, with bounds that hold on a busy machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import type { Collector, Sink } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan, TaskGroup, VirtualClock } from '../../src/runtime/index.ts';
import type { JobDefinition } from '../../src/api/index.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import type { Sample } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';

const TASK = 'flink_taskmanager_job_task_';
const TIMES = ['busyTimeMsPerSecond', 'idleTimeMsPerSecond', 'backPressuredTimeMsPerSecond'] as const;
/** Views updated every virtual second over 10 s, so a 20 s job ends with 10 steady intervals. */
const VIEW_TIMING = { intervalMs: 1000, spanMs: 10_000 };

type Times = { busy: number; idle: number; backPressured: number };

function timesOf(samples: readonly Sample[], taskName: string): Times {
  const [busy, idle, backPressured] = TIMES.map((n) => {
    const found = findSamples(samples, `${TASK}${n}`, { task_name: taskName });
    assert.equal(found.length, 1, `${n} of ${taskName}`);
    return found[0]!.value;
  });
  return { busy: busy!, idle: idle!, backPressured: backPressured! };
}

/** Runs the job to its end on one thread under `clock` and returns its task times, by task name. */
async function runAndRead(job: JobDefinition, clock: VirtualClock, batchSize?: number): Promise<Map<string, Times>> {
  const plan = await buildJobPlan(job, { parallelism: 1 });
  const group = new TaskGroup(plan, { clock, batchSize, metrics: { viewTiming: VIEW_TIMING } });
  const result = await group.run();
  assert.equal(result.state, 'FINISHED', result.error?.stack);
  const samples = parsePrometheusText(await group.metricRegistry!.metrics());
  const names = [...new Set(findSamples(samples, `${TASK}busyTimeMsPerSecond`).map((s) => s.labels.task_name!))];
  return new Map(names.map((n) => [n, timesOf(samples, n)]));
}

test('a map that works 3 ms per record of a 100 records/s source: busy 300, idle 700; the source is never busy', async () => {
  const clock = new VirtualClock();
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, 2500, { recordsPerSecond: 100 }), WatermarkStrategy.noWatermarks<number>(), 'paced')
      .rebalance()
      .map((i: number) => {
        clock.advanceTo(clock.now() + 3);
        return i;
      })
      .name('work')
      .collect('out');
  });
  const times = await runAndRead(job, clock);
  assert.deepEqual(times.get('work____Sink__Collect_out_'), { busy: 300, idle: 700, backPressured: 0 });
  // After each record the source answers "more" (it learns it must wait at its next poll), so
  // it is ready to run while the map works: 300 ms a second that are neither busy nor idle.
  assert.deepEqual(times.get('Source__paced'), { busy: 0, idle: 700, backPressured: 0 });
});

test('a sink whose writes block 1 ms per record: the sink is busy all the time, its fast source backpressured', async () => {
  // Each source step emits 10 records, 50 after the flatMap: 5 batches of 10, more than a
  // channel holds (4), so the source waits for room while the sink writes them (50 ms).
  // 5010 records take the sink 25.05 s: the views' last update (25 s) comes before the
  // source has ended, and so is idle.
  const clock = new VirtualClock();
  const blocking: Sink<number> = { createWriter: () => ({ write: (values) => clock.advanceTo(clock.now() + values.length) }) };
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, 5010), WatermarkStrategy.noWatermarks<number>(), 'fast')
      .flatMap((i: number, out: Collector<number>) => {
        for (let k = 0; k < 5; k++) out.collect(i);
      })
      .rebalance()
      .sinkTo(blocking, 'blocking');
  });
  const times = await runAndRead(job, clock, 10);
  assert.deepEqual(times.get('Source__fast____Flat_Map'), { busy: 0, idle: 0, backPressured: 1000 });
  assert.deepEqual(times.get('Sink__blocking'), { busy: 1000, idle: 0, backPressured: 0 });
});

test('tasks sharing a thread with a busy one are not busy while it works, though ready to run', async () => {
  // Two pipelines on one thread. In "heavy", a map works 1 ms per record, all the time. The
  // "light" source and sink always have work, which takes no time: they wait for their turn.
  const clock = new VirtualClock();
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, 20_000), WatermarkStrategy.noWatermarks<number>(), 'heavy')
      .rebalance()
      .map((i: number) => {
        clock.advanceTo(clock.now() + 1);
        return i;
      })
      .name('work')
      .sinkTo({ createWriter: () => ({ write: () => undefined }) }, 'heavy-out');
    // Outlasts the heavy pipeline, so it never idles for having ended.
    env.fromSource(new DataGeneratorSource((i) => i, 60_000), WatermarkStrategy.noWatermarks<number>(), 'light').rebalance().sinkTo({ createWriter: () => ({ write: () => undefined }) }, 'light-out');
  });
  const times = await runAndRead(job, clock, 10);
  assert.deepEqual(times.get('work____Sink__heavy_out'), { busy: 1000, idle: 0, backPressured: 0 });
  for (const name of ['Source__light', 'Sink__light_out', 'Source__heavy']) {
    const t = times.get(name)!;
    assert.equal(t.busy, 0, `${name} is not busy: ${JSON.stringify(t)}`);
    // What is neither busy, idle nor backpressured is the time the thread ran the map.
    assert.ok(t.busy + t.idle + t.backPressured <= 1000, `${name}: ${JSON.stringify(t)}`);
  }
});

test('real time: a map that spins 2 ms per record is busy for at least that, its source on the same thread hardly', async () => {
  const spin = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, Infinity, { recordsPerSecond: 100 }), WatermarkStrategy.noWatermarks<number>(), 'paced')
      .rebalance()
      .map((i: number) => {
        spin(2);
        return i;
      })
      .name('spin')
      .sinkTo({ createWriter: () => ({ write: () => undefined }) }, 'out');
  });
  const plan = await buildJobPlan(job, { parallelism: 1 });
  const group = new TaskGroup(plan, { metrics: { viewTiming: { intervalMs: 100, spanMs: 1000 } } });
  const done = group.run();
  type Seen = { map: Times; source: Times; rate: number };
  let seen: Seen | undefined;
  const read = async (): Promise<Seen> => {
    const samples = parsePrometheusText(await group.metricRegistry!.metrics());
    const rate = findSamples(samples, `${TASK}numRecordsInPerSecond`, { task_name: 'spin____Sink__out' })[0]?.value ?? 0;
    return { map: timesOf(samples, 'spin____Sink__out'), source: timesOf(samples, 'Source__paced'), rate };
  };
  // Once a full span has records, however slow the machine: each record costs at least 2 ms
  // of the map's time, so busy >= 2 ms x records per second (views round down by < 1 ms).
  const steady = await eventually(async () => ((seen = await read()).rate >= 50 ? seen : undefined), 30_000, 'records through the map', () => seen);
  group.cancel();
  assert.equal((await done).state, 'CANCELED');
  assert.ok(steady.map.busy >= Math.floor(2 * steady.rate) - 1, JSON.stringify(steady));
  assert.ok(steady.map.busy + steady.map.idle + steady.map.backPressured <= 1000, JSON.stringify(steady));
  // The source's own work is a poll that emits a record: far less than the map's 2 ms.
  assert.ok(steady.source.busy < steady.map.busy / 2, JSON.stringify(steady));
});
