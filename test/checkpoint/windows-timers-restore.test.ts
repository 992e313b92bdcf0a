/**
 * Event time across a savepoint: a job with sliding windows (the slicing operator), tumbling
 * windows with a process function (per-window timers) and a keyed process function with
 * event-time timers is stopped with a savepoint mid-stream and restored, at the same
 * parallelism and at another. Timers registered before the savepoint fire after the restore,
 * windows in progress complete, windows that fired before it do not fire again: the outputs
 * equal an uninterrupted run's, as lists. The backend is backendConfig()'s (heap, or RocksDB
 * when windows-timers-restore-rocksdb.test.ts imports this file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defineJob,
  KeyedProcessFunction,
  ProcessWindowFunction,
  MapStateDescriptor,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../src/api/index.ts';
import type { Collector, KeyedProcessContext, MapState, OnTimerContext, ProcessWindowContext, RuntimeContext, Sink, TimeWindow } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { backendConfig } from '../support/state-backend.ts';

const RECORDS = 8000;
interface Rec {
  key: number;
  ts: number;
}

/**
 * What each sink subtask wrote, kept across runs in this process. Its checkpointed state is
 * how many lines it had written; a restored writer drops what came after, as a transactional
 * sink's uncommitted writes are never seen.
 */
const written = new Map<string, string[]>();
function listSink(name: string): Sink<string> {
  return {
    createWriter: (ctx) => {
      const id = `${name}/${ctx.subtaskIndex}`;
      const lines = written.get(id) ?? [];
      written.set(id, lines);
      if (ctx.restoredState.length > 0) lines.length = ctx.restoredState[0] as number;
      return { write: (values) => void lines.push(...values), snapshotState: () => [lines.length] };
    },
  };
}

class SlidingCount extends ProcessWindowFunction<number, string, number, TimeWindow> {
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, counts: number[], out: Collector<string>): void {
    out.collect(`sliding ${key} ${ctx.window().end} ${counts[0]!}`);
  }
}

class WindowCount extends ProcessWindowFunction<Rec, string, number, TimeWindow> {
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, elements: Rec[], out: Collector<string>): void {
    out.collect(`tumbling ${key} ${ctx.window().end} ${elements.length}`);
  }
}

/** Counts a key's records per second of event time in MapState; a timer at the second's end reports the count. */
class SecondCounts extends KeyedProcessFunction<number, Rec, string> {
  private counts!: MapState<number, number>;
  override open(ctx: RuntimeContext): void {
    this.counts = ctx.getMapState(new MapStateDescriptor<number, number>('per-second'));
  }
  processElement(r: Rec, ctx: KeyedProcessContext<number>, _out: Collector<string>): void {
    const second = Math.floor(r.ts / 1000);
    const n = this.counts.get(second) ?? 0;
    if (n === 0) ctx.timerService().registerEventTimeTimer(second * 1000 + 999);
    this.counts.put(second, n + 1);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    const second = Math.floor(timestamp / 1000);
    out.collect(`timer ${ctx.getCurrentKey()} ${timestamp} ${this.counts.get(second) ?? 0}`);
    this.counts.remove(second);
  }
}

function job(parallelism: number, rate: number) {
  return defineJob((env) => {
    env.setParallelism(parallelism);
    const recs = env
      .fromSource(
        new DataGeneratorSource((i): Rec => ({ key: i % 5, ts: i * 10 }), RECORDS, { recordsPerSecond: rate }),
        WatermarkStrategy.forBoundedOutOfOrderness<Rec>(0).withTimestampAssigner((r) => r.ts),
        'recs',
      )
      .uid('recs');
    // A count aggregate with a window function: the slicing operator, with lateness so fired windows keep their slices.
    recs
      .keyBy((r) => r.key)
      .window(SlidingEventTimeWindows.of(2000, 500))
      .allowedLateness(1000)
      .aggregate<number, number, string>({ createAccumulator: () => 0, add: (_r, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b }, new SlidingCount())
      .uid('sliding')
      .sinkTo(listSink('sliding'), 'sliding-out')
      .uid('sliding-out');
    recs.keyBy((r) => r.key).window(TumblingEventTimeWindows.of(1000)).process(new WindowCount()).uid('tumbling').sinkTo(listSink('tumbling'), 'tumbling-out').uid('tumbling-out');
    recs.keyBy((r) => r.key).process(new SecondCounts()).uid('timers').sinkTo(listSink('timers'), 'timers-out').uid('timers-out');
  });
}

function outputs(): string[] {
  return [...written.values()].flat().sort();
}

const config = (dir: string) => ({ 'state.checkpoints.dir': join(dir, 'chk'), 'state.savepoints.dir': join(dir, 'sp'), ...backendConfig() });

for (const [from, to] of [
  [2, 2],
  [2, 3],
]) {
  test(`stopped with a savepoint at parallelism ${from} and restored at ${to}: windows and timers as in an uninterrupted run`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-event-time-restore-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const dispatcher = new Dispatcher();
    written.clear();
    assert.equal((await (await dispatcher.submit(job(from, 1e9), { config: config(dir) })).done).state, 'FINISHED');
    const expected = outputs();
    assert.ok(expected.length > 100);

    written.clear();
    const first = await dispatcher.submit(job(from, 4000), { config: config(dir) });
    // Stopped once windows have fired and timers wait.
    const fired = () => [...written].filter(([id]) => id.startsWith('tumbling/')).reduce((n, [, lines]) => n + lines.length, 0);
    await eventually(() => (fired() > 10 ? true : undefined), 30_000, 'windows to fire', fired);
    const savepoint = await first.savepoint(undefined, 'stop');
    assert.equal((await first.done).state, 'FINISHED');
    assert.ok(outputs().length < expected.length, 'stopped mid-stream');

    const second = await dispatcher.submit(job(to, 1e9), { config: { ...config(dir), 'execution.savepoint.path': savepoint } });
    const result = await second.done;
    assert.equal(result.state, 'FINISHED', result.error?.message);
    assert.deepEqual(outputs(), expected);
  });
}

test('rescaled twice: a savepoint at parallelism 2 restored at 4, a savepoint of that restored at 1, from a copy in another directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rescale-chain-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dispatcher = new Dispatcher();
  written.clear();
  assert.equal((await (await dispatcher.submit(job(2, 1e9), { config: config(dir) })).done).state, 'FINISHED');
  const expected = outputs();

  written.clear();
  const fired = () => [...written].filter(([id]) => id.startsWith('tumbling/')).reduce((n, [, lines]) => n + lines.length, 0);
  const atTwo = await dispatcher.submit(job(2, 3000), { config: config(dir) });
  await eventually(() => (fired() > 5 ? true : undefined), 30_000, 'windows to fire at parallelism 2', fired);
  const first = await atTwo.savepoint(undefined, 'stop');
  await atTwo.done;

  const atFour = await dispatcher.submit(job(4, 3000), { config: { ...config(dir), 'execution.savepoint.path': first } });
  const before = fired();
  await eventually(() => (fired() > before + 5 ? true : undefined), 30_000, 'windows to fire at parallelism 4', fired);
  const second = await atFour.savepoint(undefined, 'stop');
  await atFour.done;

  // A savepoint is one directory with relative names: a copy elsewhere restores the same.
  const moved = join(dir, 'moved', 'savepoint');
  await cp(second, moved, { recursive: true });
  await rm(second, { recursive: true });
  const atOne = await dispatcher.submit(job(1, 1e9), { config: { ...config(dir), 'execution.savepoint.path': moved } });
  const result = await atOne.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual(outputs(), expected);
});

test('stop with drain: the final watermark fires every window and timer before the savepoint, then the job finishes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-drain-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  written.clear();
  const job1 = await new Dispatcher().submit(job(2, 4000), { config: config(dir) });
  const fired = () => [...written].filter(([id]) => id.startsWith('tumbling/')).reduce((n, [, lines]) => n + lines.length, 0);
  await eventually(() => (fired() > 10 ? true : undefined), 30_000, 'windows to fire', fired);
  const savepoint = await job1.savepoint(undefined, 'drain');
  const result = await job1.done;
  assert.equal(result.state, 'FINISHED');
  assert.match(savepoint, /savepoint-/);
  // What the sources read, all of it counted: every window and timer fired, none is left for later.
  const sourceVertex = job1.plan.jobGraph.vertices[0]!.id;
  const read = (result.records ?? []).filter((r) => r.vertexId === sourceVertex).reduce((n, r) => n + r.in, 0);
  assert.ok(read > 0 && read < RECORDS, `read ${read}`);
  const total = (kind: string) => outputs().filter((l) => l.startsWith(`${kind} `)).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
  assert.equal(total('tumbling'), read);
  assert.equal(total('timer'), read);
  // Each record is in 4 sliding windows (size 2000, slide 500).
  assert.equal(total('sliding'), 4 * read);
});

test('across backends: a heap savepoint at parallelism 2 restored into RocksDB at 3, its savepoint restored into the heap at 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-backend-switch-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const heap = { 'state.backend.type': 'hashmap' };
  const rocks = { 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': join(dir, 'rocksdb'), 'state.backend.rocksdb.cache.max-keys': '2' };
  const dispatcher = new Dispatcher();
  written.clear();
  assert.equal((await (await dispatcher.submit(job(2, 1e9), { config: config(dir) })).done).state, 'FINISHED');
  const expected = outputs();

  written.clear();
  const fired = () => [...written].filter(([id]) => id.startsWith('tumbling/')).reduce((n, [, lines]) => n + lines.length, 0);
  const onHeap = await dispatcher.submit(job(2, 3000), { config: { ...config(dir), ...heap } });
  await eventually(() => (fired() > 5 ? true : undefined), 30_000, 'windows to fire on the heap', fired);
  const fromHeap = await onHeap.savepoint(undefined, 'stop');
  await onHeap.done;

  const onRocks = await dispatcher.submit(job(3, 3000), { config: { ...config(dir), ...rocks, 'execution.savepoint.path': fromHeap } });
  const before = fired();
  await eventually(() => (fired() > before + 5 ? true : undefined), 30_000, 'windows to fire on RocksDB', fired);
  const fromRocks = await onRocks.savepoint(undefined, 'stop');
  assert.equal((await onRocks.done).state, 'FINISHED');

  const back = await dispatcher.submit(job(1, 1e9), { config: { ...config(dir), ...heap, 'execution.savepoint.path': fromRocks } });
  const result = await back.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  // Sliding windows keep "fired up to" per key group, so none fires twice, whichever subtask was ahead.
  assert.deepEqual(outputs(), expected);
  // Each subtask attempt's RocksDB directory is removed when it ends.
  assert.deepEqual(await readdir(join(dir, 'rocksdb')), []);
});
