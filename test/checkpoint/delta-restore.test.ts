/**
 * Incremental checkpoints with deltas under real jobs: sliding windows (the slicing
 * operator), tumbling windows with a process function, session windows (merging state) and a
 * keyed process function with MapState and event-time timers write state through every path
 * the backends record changes on. A job is cancelled after several checkpoints whose key
 * groups are delta chains, and restored from the last one at another parallelism: the
 * outputs equal an uninterrupted run's. On the heap and on RocksDB with a cache of two keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defineJob,
  EventTimeSessionWindows,
  KeyedProcessFunction,
  MapStateDescriptor,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../src/api/index.ts';
import type { Collector, KeyedProcessContext, MapState, OnTimerContext, ProcessWindowContext, RuntimeContext, Sink, TimeWindow } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { FileCheckpointStorage } from '../../src/runtime/checkpoint/storage/file-checkpoint-storage.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';

const RECORDS = 9000;
interface Rec {
  key: number;
  ts: number;
}

/** What each sink subtask wrote; a restored writer drops what came after its checkpoint, as a transactional sink's uncommitted writes are never seen. */
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

class Show<IN> extends ProcessWindowFunction<IN, string, number, TimeWindow> {
  constructor(private readonly kind: string) {
    super();
  }
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, elements: IN[], out: Collector<string>): void {
    // In no order: at another parallelism a window's elements arrive from other source subtasks.
    out.collect(`${this.kind} ${key} ${ctx.window().start} ${ctx.window().end} ${elements.map((e) => JSON.stringify(e)).sort().join(' ')}`);
  }
}

/** Counts a key's records per second of event time in MapState; a timer at the second's end reports and removes the count. */
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
    // Every 200 records a pause of 500 ms of event time: sessions (gap 200) merge record by record, then close.
    const recs = env
      .fromSource(
        new DataGeneratorSource((i): Rec => ({ key: i % 7, ts: i * 10 + Math.floor(i / 200) * 500 }), RECORDS, { recordsPerSecond: rate }),
        WatermarkStrategy.forBoundedOutOfOrderness<Rec>(0).withTimestampAssigner((r) => r.ts),
        'recs',
      )
      .uid('recs');
    recs
      .keyBy((r) => r.key)
      .window(SlidingEventTimeWindows.of(2000, 500))
      .aggregate<number, number, string>({ createAccumulator: () => 0, add: (_r, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b }, new Show<number>('sliding'))
      .uid('sliding')
      .sinkTo(listSink('sliding'), 'sliding-out')
      .uid('sliding-out');
    recs
      .keyBy((r) => r.key)
      .window(TumblingEventTimeWindows.of(1000))
      .process(new Show<Rec>('tumbling'))
      .uid('tumbling')
      .sinkTo(listSink('tumbling'), 'tumbling-out')
      .uid('tumbling-out');
    recs
      .map((r) => ({ key: r.key, ts: r.ts, n: 1 }))
      .uid('ones')
      .keyBy((r) => r.key)
      .window(EventTimeSessionWindows.withGap(200))
      .reduceWith((a, b) => ({ key: a.key, ts: Math.max(a.ts, b.ts), n: a.n + b.n }), new Show<{ key: number; ts: number; n: number }>('session'))
      .uid('session')
      .sinkTo(listSink('session'), 'session-out')
      .uid('session-out');
    recs.keyBy((r) => r.key).process(new SecondCounts()).uid('timers').sinkTo(listSink('timers'), 'timers-out').uid('timers-out');
  });
}

const outputs = () => [...written.values()].flat().sort();
const fired = () => [...written].filter(([id]) => id.startsWith('tumbling/')).reduce((n, [, lines]) => n + lines.length, 0);

const backends: [string, Record<string, string>][] = [
  ['heap', {}],
  ['rocksdb', { 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': join(tmpdir(), 'weir-test-rocksdb'), 'state.backend.rocksdb.cache.max-keys': '2' }],
];

for (const [name, backend] of backends) {
  test(`${name}: a job restored at parallelism 3 from delta chains of a job at 2 writes what an uninterrupted run writes`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-delta-restore-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = {
      ...backend,
      'state.checkpoints.dir': join(dir, 'chk'),
      'state.checkpoints.num-retained': '2',
      'state.backend.incremental': 'true',
      // Every changed group becomes a delta (a window job rewrites most of its state between checkpoints).
      'state.backend.incremental.delta.max-chain-ratio': '1000',
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    };
    const dispatcher = new Dispatcher();
    written.clear();
    assert.equal((await (await dispatcher.submit(job(2, 1e9), { config })).done).state, 'FINISHED');
    const expected = outputs();
    assert.ok(expected.length > 200);

    written.clear();
    // Paced so its input lasts 15 s: the four checkpoints are taken after a few windows each,
    // long before the end even on a loaded machine; the run is cancelled, so the pace costs nothing.
    const first = await dispatcher.submit(job(2, 600), { config });
    let last: { dir: string } | undefined;
    for (let n = 1; n <= 4; n++) {
      await eventually(() => (fired() >= 8 * n ? true : undefined), 30_000, `${8 * n} windows to fire`, fired);
      last = await first.checkpoints.trigger();
    }
    first.cancel();
    assert.equal((await first.done).state, 'CANCELED');
    assert.ok(outputs().length < expected.length, 'cancelled mid-stream');
    // The last checkpoint reads some key groups as deltas: chains were written, and are what is restored.
    const { metadata } = await new FileCheckpointStorage(join(dir, 'chk')).readMetadata(last!.dir);
    const deltas = metadata.subtasks.flatMap((s) => s.shared ?? []).flatMap((r) => r.operators.flatMap((o) => o.deltaKeyGroups ?? []));
    assert.ok(deltas.length > 0, 'the last checkpoint holds deltas');

    const second = await dispatcher.submit(job(3, 1e9), { config: { ...config, 'execution.savepoint.path': last!.dir } });
    const result = await second.done;
    assert.equal(result.state, 'FINISHED', result.error?.message);
    const got = outputs();
    assert.deepEqual({ missing: expected.filter((l) => !got.includes(l)), extra: got.filter((l) => !expected.includes(l)) }, { missing: [], extra: [] });
    assert.deepEqual(got, expected);
  });
}
