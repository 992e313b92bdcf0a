/** union, connect (CoMap/CoFlatMap/CoProcess, keyed with shared state) and side outputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CoProcessFunction,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  OutputTag,
  ProcessFunction,
  ValueStateDescriptor,
  WatermarkStrategy,
  defineJob,
} from '../../src/api/index.ts';
import type { Collector, KeyedProcessContext, OnTimerContext, ProcessContext, RuntimeContext, ValueState } from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { backendConfig } from '../support/state-backend.ts';

const sorted = <T>(xs: readonly T[] | undefined): T[] => [...(xs ?? [])].sort();

/** The elements of `all` that are in `subset`, in the order `all` has them. */
const onlyFrom = <T>(all: readonly T[], subset: readonly T[]): T[] => all.filter((x) => subset.includes(x));

test('union: every record arrives once, and each input keeps its order', async () => {
  const a = [1, 2, 3, 4];
  const b = [10, 20, 30];
  const c = [100, 200];
  const job = defineJob((env) => {
    env
      .fromCollection(a)
      .union(env.fromCollection(b), env.fromCollection(c))
      .map((v) => v)
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  const out = r.collected.get('out') as number[];
  assert.deepEqual([...out].sort((x, y) => x - y), [1, 2, 3, 4, 10, 20, 30, 100, 200]);
  // The interleaving between inputs is not defined, the order within one input channel is.
  assert.deepEqual(onlyFrom(out, a), a);
  assert.deepEqual(onlyFrom(out, b), b);
  assert.deepEqual(onlyFrom(out, c), c);
});

test('records of one key keep their order through keyBy at parallelism 4 (one channel per producer/consumer pair)', async () => {
  const input: [string, number][] = [];
  for (let i = 0; i < 40; i++) input.push([`k${i % 7}`, i]);
  const job = defineJob((env) => {
    env
      .fromCollection(input)
      .keyBy((r) => r[0])
      .asDataStream()
      .map((r) => r)
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 4, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  const out = r.collected.get('out') as [string, number][];
  assert.equal(out.length, 40);
  for (let k = 0; k < 7; k++) {
    // key k gets k, k+7, k+14, ... in that order
    const expected = input.filter((x) => x[0] === `k${k}`).map((x) => x[1]);
    assert.deepEqual(
      out.filter((x) => x[0] === `k${k}`).map((x) => x[1]),
      expected,
    );
  }
});

test('connect + CoMap and CoFlatMap: each input through its own function, per-input order kept', async () => {
  const job = defineJob((env) => {
    const nums = env.fromElements(1, 2, 3);
    const words = env.fromElements('ab', 'c');
    nums
      .connect(words)
      .map({ map1: (n: number) => `n${n}`, map2: (s: string) => `s${s}` })
      .collect('map');
    nums
      .connect(words)
      .flatMap({
        flatMap1: (n: number, out: Collector<string>) => {
          for (let i = 0; i < n; i++) out.collect(`n${n}`);
        },
        flatMap2: (s: string, out: Collector<string>) => {
          for (const ch of s) out.collect(`c${ch}`);
        },
      })
      .collect('flat');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  const map = r.collected.get('map') as string[];
  assert.deepEqual(sorted(map), ['n1', 'n2', 'n3', 'sab', 'sc']);
  assert.deepEqual(onlyFrom(map, ['n1', 'n2', 'n3']), ['n1', 'n2', 'n3']);
  assert.deepEqual(onlyFrom(map, ['sab', 'sc']), ['sab', 'sc']);
  const flat = r.collected.get('flat') as string[];
  // 1 -> n1; 2 -> n2 n2; 3 -> n3 n3 n3; 'ab' -> ca cb; 'c' -> cc
  assert.deepEqual(sorted(flat), ['ca', 'cb', 'cc', 'n1', 'n2', 'n2', 'n3', 'n3', 'n3']);
  assert.deepEqual(
    flat.filter((x) => x.startsWith('c')),
    ['ca', 'cb', 'cc'],
  );
  assert.deepEqual(
    flat.filter((x) => x.startsWith('n')),
    ['n1', 'n2', 'n2', 'n3', 'n3', 'n3'],
  );
});

test('CoProcessFunction with a side output from the second input', async () => {
  const rejected = new OutputTag<string>('rejected');
  const job = defineJob((env) => {
    const main = env
      .fromElements(5, -1, 7)
      .connect(env.fromElements('x', 'bad', 'y'))
      .process(
        new (class extends CoProcessFunction<number, string, string> {
          processElement1(v: number, ctx: ProcessContext, out: Collector<string>): void {
            if (v < 0) ctx.output(rejected, `number ${v}`);
            else out.collect(`number ${v}`);
          }
          processElement2(v: string, ctx: ProcessContext, out: Collector<string>): void {
            if (v === 'bad') ctx.output(rejected, `word ${v}`);
            else out.collect(`word ${v}`);
          }
        })(),
      );
    main.collect('main');
    main.getSideOutput(rejected).collect('rejected');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual(sorted(r.collected.get('main')), ['number 5', 'number 7', 'word x', 'word y']);
  assert.deepEqual(sorted(r.collected.get('rejected')), ['number -1', 'word bad']);
});

interface Control {
  key: string;
  block: boolean;
}

/** Data records pass unless their key is blocked by the control input: state shared by both inputs. */
class Blocker extends KeyedCoProcessFunction<string, Control, string, string> {
  private blocked!: ValueState<boolean>;
  override open(ctx: RuntimeContext): void {
    this.blocked = ctx.getState(new ValueStateDescriptor<boolean>('blocked', false));
  }
  processElement1(c: Control): void {
    this.blocked.update(c.block);
  }
  processElement2(d: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (!this.blocked.value()) out.collect(`${d}@${ctx.timerService().currentProcessingTime()}`);
  }
}

for (const parallelism of [1, 4]) {
  test(`connect().keyBy(k1, k2): keyed state shared by both inputs (parallelism ${parallelism})`, async () => {
    const control = new ScriptedSource<Control>([
      { at: 0, value: { key: 'b', block: true } },
      { at: 200, value: { key: 'b', block: false } },
      { at: 200, value: { key: 'c', block: true } },
    ]);
    const data = new ScriptedSource<string>([
      { at: 100, value: 'a' },
      { at: 100, value: 'b' },
      { at: 100, value: 'c' },
      { at: 300, value: 'a' },
      { at: 300, value: 'b' },
      { at: 300, value: 'c' },
    ]);
    const job = defineJob((env) => {
      env
        .fromSource(control, WatermarkStrategy.noWatermarks<Control>(), 'control')
        .connect(env.fromSource(data, WatermarkStrategy.noWatermarks<string>(), 'data'))
        .keyBy(
          (c) => c.key,
          (d) => d,
        )
        .process(new Blocker())
        .collect('out');
    });
    const r = await runJob(job, { parallelism, clock: new VirtualClock(), config: backendConfig() });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    // At 100 only b is blocked: a, c pass. At 200 b is unblocked and c blocked: at 300 a, b pass.
    assert.deepEqual(sorted(r.collected.get('out')), ['a@100', 'a@300', 'b@300', 'c@100']);
  });
}

test('side outputs: several tags from a ProcessFunction and from a KeyedProcessFunction onTimer', async () => {
  const odd = new OutputTag<number>('odd');
  const big = new OutputTag<number>('big');
  const fired = new OutputTag<string>('fired');
  const job = defineJob((env) => {
    const split = env.fromElements(1, 2, 3, 6, 7, 8).process(
      new (class extends ProcessFunction<number, number> {
        processElement(v: number, ctx: ProcessContext, out: Collector<number>): void {
          if (v % 2 === 0) out.collect(v);
          else ctx.output(odd, v);
          if (v > 5) ctx.output(big, v);
        }
      })(),
    );
    split.collect('even');
    split.getSideOutput(odd).collect('odd');
    split
      .getSideOutput(big)
      .map((v) => v * 10)
      .collect('big');

    const keyed = env
      .fromElements('a', 'b')
      .keyBy((k) => k)
      .process(
        new (class extends KeyedProcessFunction<string, string, string> {
          processElement(k: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
            out.collect(k);
            ctx.timerService().registerEventTimeTimer(k === 'a' ? 5 : 7);
          }
          override onTimer(t: number, ctx: OnTimerContext<string>): void {
            ctx.output(fired, `${ctx.getCurrentKey()}@${t}`);
          }
        })(),
      );
    keyed.getSideOutput(fired).collect('fired');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual(r.collected.get('even'), [2, 6, 8]);
  assert.deepEqual(r.collected.get('odd'), [1, 3, 7]);
  assert.deepEqual(r.collected.get('big'), [60, 70, 80]);
  // Timers fire on the final +Infinity watermark, in time order; the main output of `keyed` is not consumed.
  assert.deepEqual(r.collected.get('fired'), ['a@5', 'b@7']);
});

test('records sent to a side output nobody reads are dropped', async () => {
  const unused = new OutputTag<number>('unused');
  const emitBoth = () =>
    new (class extends ProcessFunction<number, number> {
      processElement(v: number, ctx: ProcessContext, out: Collector<number>): void {
        ctx.output(unused, v);
        out.collect(v);
      }
    })();
  const job = defineJob((env) => {
    // chained to the next operator
    env.fromElements(1, 2).process(emitBoth()).map((v) => v + 10).collect('chained');
    // feeding a keyBy (the network)
    env
      .fromElements(3, 4)
      .process(emitBoth())
      .keyBy((v) => v)
      .asDataStream()
      .map((v) => v + 10)
      .collect('network');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual(r.collected.get('chained'), [11, 12]);
  assert.deepEqual(r.collected.get('network'), [13, 14]);
});
