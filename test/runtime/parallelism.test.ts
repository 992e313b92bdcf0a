/** A keyed aggregation job gives the same (sorted) results at parallelism 1 and 4. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedProcessFunction, ProcessWindowFunction, TumblingEventTimeWindows, ValueStateDescriptor, WatermarkStrategy, defineJob } from '../../src/api/index.ts';
import type { Collector, KeyedProcessContext, OnTimerContext, ProcessWindowContext, RuntimeContext, TimeWindow, ValueState } from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { keyGroupFor, subtaskForKeyGroup } from '../../src/runtime/state/key-group.ts';

const TEXT = ['a b c a', 'b a d', 'e a b', 'c'];

/** Counts per key; emits the final count when the input ends (timer at the end of event time). */
class FinalCount extends KeyedProcessFunction<string, { w: string; n: number }, string> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
  }
  processElement(r: { w: string; n: number }, ctx: KeyedProcessContext<string>): void {
    this.count.update(this.count.value()! + r.n);
    ctx.timerService().registerEventTimeTimer(Number.MAX_SAFE_INTEGER);
  }
  override onTimer(_t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}=${this.count.value()}`);
  }
}

const job = defineJob((env) => {
  const words = env
    .fromCollection(TEXT)
    .rebalance()
    .flatMap((line: string, out: Collector<string>) => line.split(' ').forEach((w) => out.collect(w)))
    .map((w) => ({ w, n: 1 }));
  const keyed = words.keyBy((r) => r.w);
  keyed
    .sum('n')
    .map((r) => `${r.w}:${r.n}`)
    .collect('rolling');
  keyed.process(new FinalCount()).collect('final');
});

// Words: a b c a | b a d | e a b | c -> a x4, b x3, c x2, d x1, e x1.
// Rolling sum emits 1..count per word (all records of a word are equal, so the order in
// which they reach the key's subtask does not matter).
const ROLLING = ['a:1', 'a:2', 'a:3', 'a:4', 'b:1', 'b:2', 'b:3', 'c:1', 'c:2', 'd:1', 'e:1'];
const FINAL = ['a=4', 'b=3', 'c=2', 'd=1', 'e=1'];

for (const parallelism of [1, 4]) {
  test(`keyed aggregation at parallelism ${parallelism}`, async () => {
    const r = await runJob(job, { parallelism, clock: new VirtualClock() });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    assert.deepEqual([...(r.collected.get('rolling') as string[])].sort(), ROLLING);
    assert.deepEqual([...(r.collected.get('final') as string[])].sort(), FINAL);
  });
}

test('keys really are spread over the 4 subtasks, each key on exactly one', async () => {
  const seen = new Map<string, Set<number>>();
  const spread = defineJob((env) => {
    env
      .fromCollection(TEXT.flatMap((l) => l.split(' ')))
      .keyBy((w) => w)
      .process(
        new (class extends KeyedProcessFunction<string, string, string> {
          private subtask = -1;
          override open(ctx: RuntimeContext): void {
            this.subtask = ctx.getIndexOfThisSubtask();
          }
          processElement(w: string): void {
            if (!seen.has(w)) seen.set(w, new Set());
            seen.get(w)!.add(this.subtask);
          }
        })(),
      )
      .collect('none');
  });
  const r = await runJob(spread, { parallelism: 4, clock: new VirtualClock() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual([...seen.keys()].sort(), ['a', 'b', 'c', 'd', 'e']);
  for (const [w, subtasks] of seen) assert.equal(subtasks.size, 1, `key ${w} on subtasks ${[...subtasks].join(',')}`);
  // 5 keys over 4 subtasks: more than one subtask is used.
  assert.ok(new Set([...seen.values()].flatMap((s) => [...s])).size > 1);
});

test('each subtask opens its own copy of a function object (keyed process and window process functions)', async () => {
  /** Remembers its subtask in a field in open(): shared instances would all report the last one opened. */
  class Who extends ProcessWindowFunction<number, string, number, TimeWindow> {
    private subtask = -1;
    override open(ctx: RuntimeContext): void {
      this.subtask = ctx.getIndexOfThisSubtask();
    }
    process(key: number, _ctx: ProcessWindowContext<TimeWindow>, _elements: number[], out: Collector<string>): void {
      out.collect(`${key}:${this.subtask}`);
    }
  }
  const job = defineJob((env) => {
    const keyed = env
      .fromCollection([1, 2, 3, 4, 5, 6, 7, 8])
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v))
      .keyBy((v) => v);
    keyed.window(TumblingEventTimeWindows.of(100)).process(new Who()).collect('window');
    keyed
      .process(
        new (class extends KeyedProcessFunction<number, number, string> {
          private subtask = -1;
          override open(ctx: RuntimeContext): void {
            this.subtask = ctx.getIndexOfThisSubtask();
          }
          processElement(v: number, _ctx: KeyedProcessContext<number>, out: Collector<string>): void {
            out.collect(`${v}:${this.subtask}`);
          }
        })(),
      )
      .collect('process');
  });
  const r = await runJob(job, { parallelism: 4, clock: new VirtualClock() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // Both operators place key k on the same subtask (same key groups), and that is the subtask
  // whose function copy handled it.
  const expectedSubtask = new Map((r.collected.get('process') as string[]).map((s) => s.split(':').map(Number) as [number, number]));
  assert.equal(expectedSubtask.size, 8);
  assert.ok(new Set(expectedSubtask.values()).size > 1, 'keys on more than one subtask');
  assert.deepEqual([...(r.collected.get('window') as string[])].sort(), [...expectedSubtask].map(([k, s]) => `${k}:${s}`).sort());
});

test('a function object of a class with #private fields still runs at parallelism 4', async () => {
  class Prefix extends KeyedProcessFunction<string, string, string> {
    readonly #prefix: string;
    constructor(prefix: string) {
      super();
      this.#prefix = prefix;
    }
    processElement(v: string, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
      out.collect(this.#prefix + v);
    }
  }
  const job = defineJob((env) => {
    env
      .fromElements('a', 'b', 'c', 'd')
      .keyBy((k) => k)
      .process(new Prefix('>'))
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 4, clock: new VirtualClock() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual([...(r.collected.get('out') as string[])].sort(), ['>a', '>b', '>c', '>d']);
});

test('keys reach the subtask DESIGN section 2 assigns: floor(murmur3(key) % maxP * p / maxP)', async () => {
  const keys = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? i : `key-${i}`));
  const job = defineJob((env) => {
    env.setMaxParallelism(32);
    env
      .fromCollection(keys)
      .keyBy((k) => k)
      .process(new (class extends KeyedProcessFunction<string | number, string | number, [string | number, number]> {
        private subtask = -1;
        override open(ctx: RuntimeContext): void {
          this.subtask = ctx.getIndexOfThisSubtask();
        }
        processElement(k: string | number, _ctx: KeyedProcessContext<string | number>, out: Collector<[string | number, number]>): void {
          out.collect([k, this.subtask]);
        }
      })())
      .collect('placement');
  });
  const r = await runJob(job, { parallelism: 5 });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  const placement = r.collected.get('placement') as [string | number, number][];
  assert.equal(placement.length, 60);
  for (const [k, subtask] of placement) assert.equal(subtask, subtaskForKeyGroup(keyGroupFor(k, 32), 5, 32), `key ${k}`);
});
