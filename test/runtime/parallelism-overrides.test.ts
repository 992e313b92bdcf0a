/**
 * `pipeline.jobvertex-parallelism-overrides`: a vertex's parallelism apart from the job's
 * default, by vertex id. Ids stay the same whatever the parallelism, the graph keeps its
 * chains, forward edges that now join different parallelisms become rebalance, and a job
 * stopped with a savepoint restores with other per-vertex parallelisms with its keyed state
 * redistributed by key group: per-key counters go on exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, KeyedProcessFunction, ValueStateDescriptor, WatermarkStrategy } from '../../src/api/index.ts';
import type { Collector, JobMain, KeyedProcessContext, RuntimeContext, Sink, ValueState } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan } from '../../src/runtime/index.ts';
import type { JobGraph } from '../../src/runtime/graph/job-graph.ts';
import { PARALLELISM_OVERRIDES_KEY, formatParallelismOverrides, parseParallelismOverrides } from '../../src/runtime/graph/parallelism-overrides.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { WeirError } from '../../src/errors/index.ts';
import { eventually } from '../support/eventually.ts';

const RECORDS = 6000;
const KEYS = 7;

class Count extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_v: number, ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect(`${ctx.getCurrentKey()}:${n}`);
  }
}

const lines: string[] = [];
const listSink: Sink<string> = { createWriter: () => ({ write: (values) => void lines.push(...values) }) };

function counting(rate: number): JobMain {
  return (env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: rate }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
      .map((i) => i)
      .keyBy((i) => i % KEYS)
      .process(new Count())
      .uid('count')
      .sinkTo(listSink, 'out');
  };
}

const plan = async (main: JobMain, parallelism: number, overrides?: Record<string, number>): Promise<JobGraph> =>
  (await buildJobPlan(defineJob(main), { parallelism, config: overrides ? { [PARALLELISM_OVERRIDES_KEY]: formatParallelismOverrides(overrides) } : {} })).jobGraph;
const shape = (g: JobGraph) => g.vertices.map((v) => `${v.name}: ${v.parallelism}`);

test('overrides set each vertex\'s parallelism by id; ids do not depend on parallelism; forward edges between different parallelisms become rebalance', async () => {
  const base = await plan(counting(1e9), 2);
  assert.deepEqual(shape(base), ['Source: numbers -> Map: 2', 'KeyedProcess -> Sink: out: 2']);
  const [source, count] = base.vertices.map((v) => v.id) as [string, string];
  const scaled = await plan(counting(1e9), 3, { [source]: 1, [count]: 5, 'not-a-vertex': 9 });
  assert.deepEqual(scaled.vertices.map((v) => v.id), [source, count]);
  assert.deepEqual(shape(scaled), ['Source: numbers -> Map: 1', 'KeyedProcess -> Sink: out: 5']);
  assert.notEqual(scaled.planHash, base.planHash);
  // Built the same way twice (as the JobManager and each TaskManager do), the same hash.
  assert.equal((await plan(counting(1e9), 3, { [source]: 1, [count]: 5 })).planHash, scaled.planHash);

  const chained: JobMain = (env) => {
    env.disableOperatorChaining();
    env.fromElements(1, 2).map((v) => v).collect('out');
  };
  const forward = await plan(chained, 2);
  // The collection source runs alone; map and sink share a forward edge.
  assert.deepEqual(forward.edges.map((e) => e.partitioner), ['rebalance', 'forward']);
  const mapId = forward.vertices[1]!.id;
  const split = await plan(chained, 2, { [mapId]: 3 });
  assert.deepEqual(split.vertices.map((v) => v.parallelism), [1, 3, 2]);
  assert.deepEqual(split.edges.map((e) => e.partitioner), ['rebalance', 'rebalance']);
});

test('malformed overrides and parallelism above a vertex\'s key groups are refused with the key named', async () => {
  assert.deepEqual([...parseParallelismOverrides(' a:2 , b:10,')], [['a', 2], ['b', 10]]);
  for (const bad of ['a', 'a:0', 'a:x', ':3', 'a:1,a:2']) {
    assert.throws(() => parseParallelismOverrides(bad), (err: unknown) => err instanceof WeirError && err.code === 'INVALID_CONFIGURATION' && err.message.startsWith(PARALLELISM_OVERRIDES_KEY));
  }
  const base = await plan(counting(1e9), 1);
  await assert.rejects(plan(counting(1e9), 1, { [base.vertices[1]!.id]: 129 }), (err: unknown) => err instanceof WeirError && err.code === 'INVALID_PARALLELISM');
});

test('stopped with a savepoint and restored at other per-vertex parallelisms, twice: every key counts on exactly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-vertex-overrides-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = { 'state.checkpoints.dir': join(dir, 'chk'), 'state.savepoints.dir': join(dir, 'sp') };
  const [source, count] = (await plan(counting(1e9), 2)).vertices.map((v) => v.id) as [string, string];
  const dispatcher = new Dispatcher();
  lines.length = 0;

  const runs: [Record<string, number> | undefined, number][] = [
    [undefined, 1500],
    [{ [source]: 1, [count]: 3 }, 3500],
  ];
  let restore: string | undefined;
  for (const [overrides, stopAt] of runs) {
    const job = await dispatcher.submit(defineJob(counting(3000)), {
      parallelism: 2,
      config: { ...config, ...(overrides ? { [PARALLELISM_OVERRIDES_KEY]: formatParallelismOverrides(overrides) } : {}), ...(restore ? { 'execution.savepoint.path': restore } : {}) },
    });
    assert.deepEqual(job.plan.jobGraph.vertices.map((v) => v.parallelism), overrides ? [1, 3] : [2, 2]);
    await eventually(() => (lines.length >= stopAt ? true : undefined), 60_000, `${stopAt} records counted`, () => lines.length);
    restore = await job.savepoint(undefined, 'stop');
    assert.equal((await job.done).state, 'FINISHED');
    assert.ok(lines.length < RECORDS, 'stopped mid-stream');
  }
  const last = await dispatcher.submit(defineJob(counting(1e9)), {
    parallelism: 2,
    config: { ...config, [PARALLELISM_OVERRIDES_KEY]: formatParallelismOverrides({ [source]: 2, [count]: 1 }), 'execution.savepoint.path': restore! },
  });
  assert.deepEqual(last.plan.jobGraph.vertices.map((v) => v.parallelism), [2, 1]);
  const result = await last.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);

  // Each key counted 1..n exactly once: lost state would count from 1 again, a replay twice.
  const expected: string[] = [];
  for (let k = 0; k < KEYS; k++) for (let n = 1; n <= Math.ceil((RECORDS - k) / KEYS); n++) expected.push(`${k}:${n}`);
  assert.deepEqual([...lines].sort(), expected.sort());
});
