/** Keyed state inside a KeyedProcessFunction, run as jobs: per-key isolation and TTL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregatingStateDescriptor,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
  WatermarkStrategy,
  defineJob,
} from '../../src/api/index.ts';
import type {
  AggregateFunction,
  AggregatingState,
  Collector,
  KeyedProcessContext,
  ListState,
  MapState,
  ReducingState,
  RuntimeContext,
  StateTtlConfigBuilder,
  ValueState,
} from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { backendConfig } from '../support/state-backend.ts';

type Rec = [key: string, value: number];

const average: AggregateFunction<number, { sum: number; n: number }, number> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  add: (v, a) => ({ sum: a.sum + v, n: a.n + 1 }),
  getResult: (a) => a.sum / a.n,
  merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
};

/** Uses all five state kinds on every record and reports what it sees. */
class AllStates extends KeyedProcessFunction<string, Rec, string> {
  private count!: ValueState<number>;
  private list!: ListState<number>;
  private map!: MapState<number, number>;
  private sum!: ReducingState<number>;
  private avg!: AggregatingState<number, number>;

  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
    this.list = ctx.getListState(new ListStateDescriptor<number>('values'));
    this.map = ctx.getMapState(new MapStateDescriptor<number, number>('seenAt'));
    this.sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    this.avg = ctx.getAggregatingState(new AggregatingStateDescriptor('avg', average));
  }

  processElement([, v]: Rec, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const n = this.count.value()! + 1;
    this.count.update(n);
    this.list.add(v);
    this.map.put(v, n);
    this.sum.add(v);
    this.avg.add(v);
    const map = this.map.entries().map(([k, c]) => `${k}@${c}`).join(',');
    out.collect(`${ctx.getCurrentKey()} n=${n} list=${this.list.get().join(',')} map=${map} sum=${this.sum.get()} avg=${this.avg.get()}`);
  }
}

test('all five state kinds in a KeyedProcessFunction, isolated per key', async () => {
  const job = defineJob((env) => {
    env
      .fromElements<Rec>(['a', 1], ['b', 10], ['a', 2], ['b', 20], ['a', 6])
      .keyBy((r) => r[0])
      .process(new AllStates())
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // Each key sees only its own records (one input channel at parallelism 1: in order):
  // a: 1 -> n1 sum1 avg1; 2 -> n2 sum3 avg1.5; 6 -> n3 sum9 avg3
  // b: 10 -> n1 sum10 avg10; 20 -> n2 sum30 avg15
  assert.deepEqual(r.collected.get('out'), [
    'a n=1 list=1 map=1@1 sum=1 avg=1',
    'b n=1 list=10 map=10@1 sum=10 avg=10',
    'a n=2 list=1,2 map=1@1,2@2 sum=3 avg=1.5',
    'b n=2 list=10,20 map=10@1,20@2 sum=30 avg=15',
    'a n=3 list=1,2,6 map=1@1,2@2,6@3 sum=9 avg=3',
  ]);
});

test('the same per-key results at parallelism 4 (keys spread over subtasks)', async () => {
  const job = defineJob((env) => {
    env
      .fromElements<Rec>(['a', 1], ['b', 10], ['a', 2], ['b', 20], ['a', 6], ['c', 5])
      .keyBy((r) => r[0])
      .process(new AllStates())
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 4, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // Per key the single source channel keeps order, so each key's lines are as at parallelism 1.
  assert.deepEqual(
    [...(r.collected.get('out') as string[])].sort(),
    [
      'a n=1 list=1 map=1@1 sum=1 avg=1',
      'a n=2 list=1,2 map=1@1,2@2 sum=3 avg=1.5',
      'a n=3 list=1,2,6 map=1@1,2@2,6@3 sum=9 avg=3',
      'b n=1 list=10 map=10@1 sum=10 avg=10',
      'b n=2 list=10,20 map=10@1,20@2 sum=30 avg=15',
      'c n=1 list=5 map=5@1 sum=5 avg=5',
    ],
  );
});

/** "new" when the key has no live first-seen marker (and sets it), "seen" otherwise; never rewrites it. */
class FirstSeen extends KeyedProcessFunction<string, string, string> {
  private seen!: ValueState<number>;
  constructor(private readonly ttl: StateTtlConfigBuilder) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.seen = ctx.getState(new ValueStateDescriptor<number>('firstSeen').enableTimeToLive(this.ttl.build()));
  }
  processElement(k: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const now = ctx.timerService().currentProcessingTime();
    if (this.seen.value() === undefined) {
      this.seen.update(now);
      out.collect(`${k}@${now} new`);
    } else {
      out.collect(`${k}@${now} seen`);
    }
  }
}

async function runFirstSeen(ttl: StateTtlConfigBuilder): Promise<string[]> {
  // Key a arrives at processing times 0, 60, 120, 250; key b at 90 and 150.
  const source = new ScriptedSource<string>([
    { at: 0, value: 'a' },
    { at: 60, value: 'a' },
    { at: 90, value: 'b' },
    { at: 120, value: 'a' },
    { at: 150, value: 'b' },
    { at: 250, value: 'a' },
  ]);
  const job = defineJob((env) => {
    env
      .fromSource(source, WatermarkStrategy.noWatermarks<string>(), 'scripted')
      .keyBy((k) => k)
      .process(new FirstSeen(ttl))
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  return r.collected.get('out') as string[];
}

test('TTL in a job, OnCreateAndWrite: only the write at creation counts', async () => {
  // ttl 100. a: written 0; 60 live -> seen; 120: 0+100 <= 120 expired -> new (written 120);
  // 250: 120+100 <= 250 -> new. b: written 90; 150: 90+100 > 150 -> seen.
  assert.deepEqual(await runFirstSeen(StateTtlConfig.newBuilder(100)), ['a@0 new', 'a@60 seen', 'b@90 new', 'a@120 new', 'b@150 seen', 'a@250 new']);
});

test('TTL in a job, OnReadAndWrite: each read extends the lifetime', async () => {
  // a: written 0; read at 60 restamps 60; at 120: 60+100 > 120 -> seen, restamp 120;
  // at 250: 120+100 <= 250 -> new. b: as before.
  assert.deepEqual(await runFirstSeen(StateTtlConfig.newBuilder(100).updateTtlOnReadAndWrite()), [
    'a@0 new',
    'a@60 seen',
    'b@90 new',
    'a@120 seen',
    'b@150 seen',
    'a@250 new',
  ]);
});

test('TTL in a job, ReturnExpiredIfNotCleanedUp: the first read after expiry still sees the value', async () => {
  // a: written 0; 60 seen; 120: expired but returned this once (and cleared) -> seen;
  // 250: nothing stored -> new. b: 90 new, 150 seen.
  assert.deepEqual(await runFirstSeen(StateTtlConfig.newBuilder(100).returnExpiredIfNotCleanedUp().disableCleanupInBackground()), [
    'a@0 new',
    'a@60 seen',
    'b@90 new',
    'a@120 seen',
    'b@150 seen',
    'a@250 new',
  ]);
});
