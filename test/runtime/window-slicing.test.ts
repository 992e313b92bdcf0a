/**
 * Sliding windows with an aggregate run on the slicing operator; the general window
 * operator (`weir.window.slicing: false`) is the reference. Randomized, out-of-order
 * input with punctuated watermarks, allowed lateness and a late side output must give the
 * same results, the same window timestamps and the same late records on both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, OutputTag, ProcessFunction, ProcessWindowFunction, SlidingEventTimeWindows, WatermarkStrategy } from '../../src/api/index.ts';
import type { AggregateFunction, Collector, ProcessContext, ProcessWindowContext, TimeWindow } from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { backendConfig } from '../support/state-backend.ts';

interface Rec {
  key: string;
  ts: number;
  v: number;
}

function records(seed: number, n: number): Rec[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    // Mostly advancing time with jitter; every 17th record far behind (late or very late).
    const base = i * 37;
    const ts = i % 17 === 0 ? Math.max(0, base - 900 - Math.floor(rnd() * 3000)) : base - Math.floor(rnd() * 400);
    out.push({ key: `k${Math.floor(rnd() * 7)}`, ts, v: Math.floor(rnd() * 100) });
  }
  return out;
}

const sumAndCount: AggregateFunction<Rec, [number, number], string> = {
  createAccumulator: () => [0, 0],
  add: (r, acc) => [acc[0] + r.v, acc[1] + 1],
  getResult: (acc) => `${acc[0]}/${acc[1]}`,
  merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
};

class Describe extends ProcessWindowFunction<string, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, results: string[], out: Collector<string>): void {
    out.collect(`${key}@[${ctx.window().start},${ctx.window().end}) ${results.join(',')}`);
  }
}

const LATE = new OutputTag<Rec>('late');

/** Shows each result's event timestamp, which must be its window's end - 1. */
class StampWithTimestamp extends ProcessFunction<string, string> {
  processElement(v: string, ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`${ctx.timestamp()} ${v}`);
  }
}

async function run(input: Rec[], slicing: boolean, lateness: number, withProcess: boolean, parallelism: number) {
  const job = defineJob((env) => {
    env.configure('weir.window.slicing', slicing);
    const windowed = env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forGenerator<Rec>(() => {
          let max = -Infinity;
          return {
            // Punctuated: a watermark after every record, 200ms behind the highest timestamp.
            onEvent(r, ts, out) {
              max = Math.max(max, ts);
              out.emitWatermark(max - 200);
            },
            onPeriodicEmit() {},
          };
        }).withTimestampAssigner((r) => r.ts),
      )
      // One watermark generator, so only the windows' parallelism changes between runs.
      .setParallelism(1)
      .keyBy((r) => r.key)
      .window(SlidingEventTimeWindows.of(1000, 250))
      .allowedLateness(lateness)
      .sideOutputLateData(LATE);
    const results = withProcess ? windowed.aggregate(sumAndCount, new Describe()) : windowed.aggregate(sumAndCount);
    results.process(new StampWithTimestamp()).collect('out');
    results.getSideOutput(LATE).map((r) => `${r.key}:${r.ts}:${r.v}`).collect('late');
  });
  const r = await runJob(job, { parallelism, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  return { out: (r.collected.get('out') ?? []).map(String), late: (r.collected.get('late') ?? []).map(String) };
}

for (const [lateness, withProcess] of [[0, false], [0, true], [600, false], [600, true]] as const) {
  test(`slicing matches the general window operator (lateness ${lateness}, process function ${withProcess})`, async () => {
    for (const seed of [1, 2, 3]) {
      const input = records(seed, 1500);
      const general = await run(input, false, lateness, withProcess, 1);
      const sliced = await run(input, true, lateness, withProcess, 1);
      assert.ok(general.out.length > 100, `expected many window results, got ${general.out.length}`);
      assert.ok(general.late.length > 0, 'the input should contain records too late for any window');
      // Same results in the same order per key (window firing order) and the same late records.
      assert.deepEqual(sliced.out, general.out, `seed ${seed}`);
      assert.deepEqual(sliced.late, general.late, `seed ${seed}`);
    }
  });
}

test('slicing gives the same results at parallelism 1 and 3', async () => {
  const input = records(9, 1200);
  const p1 = await run(input, true, 300, true, 1);
  const p3 = await run(input, true, 300, true, 3);
  assert.deepEqual([...p3.out].sort(), [...p1.out].sort());
  assert.deepEqual([...p3.late].sort(), [...p1.late].sort());
});

// Many keys share each window end, and out-of-order input gives keys their first record
// in a later slice before an earlier one: the slicing operator fires (and clears) the keys
// of a window in the order of their first record in it, as the general operator's per-key
// timers do. clear() reports to a side output, so its calls and their order count too.
const CLEARED = new OutputTag<string>('cleared');

class DescribeAndClear extends ProcessWindowFunction<string, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, results: string[], out: Collector<string>): void {
    out.collect(`${key}@${ctx.window().end} ${results.join(',')} wm=${ctx.currentWatermark()}`);
  }
  override clear(ctx: ProcessWindowContext<TimeWindow>): void {
    ctx.output(CLEARED, `${ctx.window().end}`);
  }
}

function manyKeys(seed: number, n: number): Rec[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    // Jitter of up to two slides, so a slice often gets a key after the next slice has it.
    const ts = Math.max(0, i * 3 - Math.floor(rnd() * 500));
    out.push({ key: `k${Math.floor(rnd() * 300)}`, ts, v: Math.floor(rnd() * 10) });
  }
  return out;
}

async function runMany(input: Rec[], slicing: boolean, lateness: number) {
  const job = defineJob((env) => {
    env.configure('weir.window.slicing', slicing);
    const results = env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forGenerator<Rec>(() => {
          let max = -Infinity;
          let n = 0;
          return {
            onEvent(r, ts, out) {
              max = Math.max(max, ts);
              if (++n % 50 === 0) out.emitWatermark(max - 300); // many keys per watermark
            },
            onPeriodicEmit() {},
          };
        }).withTimestampAssigner((r) => r.ts),
      )
      .setParallelism(1)
      .keyBy((r) => r.key)
      .window(SlidingEventTimeWindows.of(1000, 250))
      .allowedLateness(lateness)
      .sideOutputLateData(LATE)
      .aggregate(sumAndCount, new DescribeAndClear());
    results.process(new StampWithTimestamp()).collect('out');
    results.getSideOutput(CLEARED).collect('cleared');
    results.getSideOutput(LATE).map((r) => `${r.key}:${r.ts}:${r.v}`).collect('late');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  const get = (name: string) => (r.collected.get(name) ?? []).map(String);
  return { out: get('out'), cleared: get('cleared'), late: get('late') };
}

for (const lateness of [0, 400]) {
  test(`slicing: many keys per window fire and clear in the general operator's order (lateness ${lateness})`, async () => {
    const input = manyKeys(5, 6000);
    const general = await runMany(input, false, lateness);
    const sliced = await runMany(input, true, lateness);
    assert.ok(general.out.length > 5000, `expected many window results, got ${general.out.length}`);
    assert.ok(general.cleared.length > 5000, `expected many clear() calls, got ${general.cleared.length}`);
    assert.deepEqual(sliced.out, general.out);
    assert.deepEqual(sliced.cleared, general.cleared);
    assert.deepEqual(sliced.late, general.late);
  });
}
