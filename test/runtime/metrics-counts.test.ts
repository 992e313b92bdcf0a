/**
 * Scraped Prometheus text of jobs with known record counts: Flink's names and labels per
 * subtask and operator, exact numRecordsIn/Out, input watermarks and late-record drops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, TumblingEventTimeWindows, WatermarkStrategy } from '../../src/api/index.ts';
import type { Source, SourceOutput, SourcePoll } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan, TaskGroup, VirtualClock } from '../../src/runtime/index.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import type { MetricRegistry, Sample } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';
import { punctuated } from '../support/timed-source.ts';

const TASK = 'flink_taskmanager_job_task_';
const OP = 'flink_taskmanager_job_task_operator_';
const LONG_MIN = -(2 ** 63);
const LONG_MAX = 2 ** 63;
const JOB_ID = '00112233445566778899aabbccddeeff';

/** The one value of `name` among samples matching `labels`. */
function value(samples: readonly Sample[], name: string, labels: Record<string, string>): number {
  const found = findSamples(samples, name, labels);
  assert.equal(found.length, 1, `${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.value;
}

test('numRecordsIn/Out per subtask and operator, exact, with Flink\'s labels (datagen at parallelism 2)', async () => {
  // gen (subtask s makes i = s, s+2, ...) -> map x2 -> filter (i % 4 == 0: only subtask 0
  // keeps any, 250 of its 500) -> rebalance -> collect at parallelism 2 (125 each).
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, 1000), WatermarkStrategy.noWatermarks<number>(), 'gen')
      .map((i: number) => i * 2)
      .filter((x: number) => x % 8 === 0)
      .rebalance()
      .collect('out');
  });
  const plan = await buildJobPlan(job, { parallelism: 2, jobName: 'Metrics test' });
  const executor = new TaskGroup(plan, { clock: new VirtualClock(), metrics: { jobId: JOB_ID, host: 'tm-host.local', tmId: 'tm-1' } });
  const result = await executor.run();
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const samples = parsePrometheusText(await executor.metricRegistry!.metrics());

  const [genVertex, sinkVertex] = plan.jobGraph.vertices;
  assert.equal(genVertex!.name, 'Source: gen -> Map -> Filter');
  const common = { host: 'tm_host_local', tm_id: 'tm_1', job_id: JOB_ID, job_name: 'Metrics_test', task_attempt_num: '0' };
  const gen = (s: number) => ({ ...common, task_id: genVertex!.id, task_name: 'Source__gen____Map____Filter', subtask_index: String(s) });
  const sink = (s: number) => ({ ...common, task_id: sinkVertex!.id, task_name: 'Sink__Collect_out_', subtask_index: String(s) });

  // Every label Flink's task scope has, in a stable order; attempt ids are 32 hex characters.
  const one = findSamples(samples, `${TASK}numRecordsIn`, gen(0))[0]!;
  assert.deepEqual(Object.keys(one.labels), ['host', 'tm_id', 'job_id', 'job_name', 'task_id', 'task_name', 'task_attempt_id', 'task_attempt_num', 'subtask_index']);
  assert.match(one.labels.task_attempt_id!, /^[0-9a-f]{32}$/);

  // Task level: a source task's records in are the records it read (FLIP-27 sources).
  assert.equal(value(samples, `${TASK}numRecordsIn`, gen(0)), 500);
  assert.equal(value(samples, `${TASK}numRecordsIn`, gen(1)), 500);
  assert.equal(value(samples, `${TASK}numRecordsOut`, gen(0)), 250);
  assert.equal(value(samples, `${TASK}numRecordsOut`, gen(1)), 0);
  for (const s of [0, 1]) {
    assert.equal(value(samples, `${TASK}numRecordsIn`, sink(s)), 125);
    assert.equal(value(samples, `${TASK}numRecordsOut`, sink(s)), 125, 'a sink counts what it wrote');
  }

  // Operator level: chained operators are counted on their own.
  const [source, map, filter] = genVertex!.operators;
  const op = (s: number, o: { id: string }, name: string) => ({ ...gen(s), operator_id: o.id, operator_name: name });
  const expected: [number, { id: string }, string, number, number][] = [
    [0, source!, 'Source__gen', 500, 500],
    [0, map!, 'Map', 500, 500],
    [0, filter!, 'Filter', 500, 250],
    [1, source!, 'Source__gen', 500, 500],
    [1, map!, 'Map', 500, 500],
    [1, filter!, 'Filter', 500, 0],
  ];
  for (const [s, o, name, recordsIn, recordsOut] of expected) {
    assert.equal(value(samples, `${OP}numRecordsIn`, op(s, o, name)), recordsIn, `${name} ${s} in`);
    assert.equal(value(samples, `${OP}numRecordsOut`, op(s, o, name)), recordsOut, `${name} ${s} out`);
  }
  assert.equal(findSamples(samples, `${OP}numRecordsIn`).length, 8, '3 operators x 2 + sink x 2');

  // Job level; uptime is -1 once the job has finished, as Flink's.
  const job_ = { host: 'tm_host_local', job_id: JOB_ID, job_name: 'Metrics_test' };
  assert.equal(value(samples, 'flink_jobmanager_job_numRestarts', job_), 0);
  assert.equal(value(samples, 'flink_jobmanager_job_uptime', job_), -1);

  // The CLI's per-vertex view agrees.
  assert.deepEqual(
    executor.metrics().map((v) => [v.recordsIn, v.recordsOut]),
    [
      [1000, 250],
      [250, 250],
    ],
  );

  // What a JobMaster does before a restarted attempt registers its own subtasks.
  executor.taskMetrics!.close();
  assert.deepEqual(executor.metricRegistry!.names(), []);
});

/** Emits records with the given timestamps, then waits for `gate` (I/O) before it ends. */
class GatedSource implements Source<{ ts: number }> {
  readonly boundedness = 'BOUNDED';
  readonly maxParallelism = 1;
  constructor(
    private readonly gate: Promise<void>,
    private readonly timestamps = [1000, 2000, 5000],
  ) {}
  createReader() {
    let emitted = false;
    return {
      pollNext: (out: SourceOutput<{ ts: number }>): SourcePoll => {
        if (emitted) return 'end';
        emitted = true;
        for (const ts of this.timestamps) out.collect({ ts });
        return this.gate;
      },
    };
  }
}

/** Scrapes until `ready` holds (the job runs on a real clock). */
async function scrapeUntil(registry: MetricRegistry, ready: (samples: Sample[]) => boolean): Promise<Sample[]> {
  return eventually(async () => {
    const samples = parsePrometheusText(await registry.metrics());
    return ready(samples) ? samples : undefined;
  }, 30_000, 'the expected watermarks');
}

const eventTime = () => punctuated((e: { ts: number }) => e.ts, (_e, maxTs) => maxTs);

test('currentInputWatermark of tasks and chained operators after a known watermark, then Long.MAX_VALUE at the end', async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const job = defineJob((env) => {
    env
      .fromSource(new GatedSource(gate), eventTime(), 'gated')
      .rebalance()
      .map((e) => e.ts)
      .collect('out');
  });
  const plan = await buildJobPlan(job, { parallelism: 1 });
  const executor = new TaskGroup(plan, { metrics: true });
  const done = executor.run();
  const [up, down] = plan.jobGraph.vertices;
  const registry = executor.metricRegistry!;
  let samples = await scrapeUntil(registry, (s) => value(s, `${TASK}currentInputWatermark`, { task_id: down!.id }) === 5000);
  const [mapOp, sinkOp] = down!.operators;
  assert.equal(value(samples, `${OP}currentInputWatermark`, { operator_id: mapOp!.id }), 5000);
  assert.equal(value(samples, `${OP}currentInputWatermark`, { operator_id: sinkOp!.id }), 5000, 'a chained operator sees what the one before it emitted');
  // Nothing reaches a source from upstream: Flink reports Long.MIN_VALUE.
  assert.equal(value(samples, `${TASK}currentInputWatermark`, { task_id: up!.id }), LONG_MIN);
  assert.ok(value(samples, 'flink_jobmanager_job_uptime', {}) >= 0, 'uptime while running');

  open();
  assert.equal((await done).state, 'FINISHED');
  samples = parsePrometheusText(await registry.metrics());
  assert.equal(value(samples, `${TASK}currentInputWatermark`, { task_id: down!.id }), LONG_MAX);
  assert.equal(value(samples, `${OP}currentInputWatermark`, { operator_id: sinkOp!.id }), LONG_MAX);
});

test('a two-input operator reports the watermark of each input; its task the minimum', async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const job = defineJob((env) => {
    env
      .fromSource(new GatedSource(gate, [1000, 3000]), eventTime(), 'a')
      .connect(env.fromSource(new GatedSource(gate, [7000]), eventTime(), 'b'))
      .map({ map1: (e) => e.ts, map2: (e) => e.ts })
      .collect('out');
  });
  const plan = await buildJobPlan(job, { parallelism: 1 });
  const executor = new TaskGroup(plan, { metrics: true });
  const done = executor.run();
  const coMap = plan.jobGraph.vertices.find((v) => v.name.startsWith('Co-Map'))!;
  const op = { operator_id: coMap.operators[0]!.id };
  const samples = await scrapeUntil(
    executor.metricRegistry!,
    (s) => value(s, `${OP}currentInput1Watermark`, op) === 3000 && value(s, `${OP}currentInput2Watermark`, op) === 7000,
  );
  assert.equal(value(samples, `${OP}currentInputWatermark`, op), 3000);
  assert.equal(value(samples, `${TASK}currentInputWatermark`, { task_id: coMap.id }), 3000);
  open();
  assert.equal((await done).state, 'FINISHED');
});

test('numLateRecordsDropped of a window operator, exact', async () => {
  // Window [0, 2000) of key a is cleaned up once the watermark passes 1999; a@1500 after
  // the watermark 5000 is late and dropped, as is b@100. a@6000 is on time.
  const input = [
    { k: 'a', t: 1000 },
    { k: 'a', t: 5000 },
    { k: 'a', t: 1500 },
    { k: 'b', t: 100 },
    { k: 'a', t: 6000 },
  ];
  const job = defineJob((env) => {
    env
      .fromElements(...input)
      .assignTimestampsAndWatermarks(punctuated((e: { k: string; t: number }) => e.t, (_e, maxTs) => maxTs))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(2000))
      .reduce((a, b) => ({ k: a.k, t: Math.max(a.t, b.t) }))
      .collect('out');
  });
  const plan = await buildJobPlan(job, { parallelism: 1 });
  const executor = new TaskGroup(plan, { clock: new VirtualClock(), metrics: true });
  assert.equal((await executor.run()).state, 'FINISHED');
  const samples = parsePrometheusText(await executor.metricRegistry!.metrics());
  const dropped = findSamples(samples, `${OP}numLateRecordsDropped`);
  assert.equal(dropped.length, 1, 'only window operators have the metric');
  assert.match(dropped[0]!.labels.operator_name!, /^Window/);
  assert.equal(dropped[0]!.value, 2);
  assert.equal(value(samples, `${OP}numRecordsIn`, { operator_id: dropped[0]!.labels.operator_id! }), 5);
});
