/**
 * Window functions: aggregate with and without a ProcessWindowFunction, reduceWith, process
 * with the window context (window bounds, watermark, per-window and global state, clear), and
 * windowAll.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OutputTag,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/api/index.ts';
import type { AggregateFunction, Collector, ProcessWindowContext, StreamExecutionEnvironment, TimeWindow } from '../../../src/api/index.ts';
import { at, punctuated, TimedSource, watermarkPerEvent } from '../../support/timed-source.ts';
import { assertPerKeyOrder, ev, run, sorted, stamped } from './helpers.ts';
import type { Ev } from './helpers.ts';

/**
 * Tumbling 10, all records at once (only the final watermark fires windows, in end order,
 * keys in the order their windows were created):
 *   a[0,10): 1@1, 4@7, 16@2   b[0,10): 2@3   a[10,20): 8@15, 32@10   b[20,30): 64@29
 */
const input = [ev('a', 1, 1), ev('b', 2, 3), ev('a', 4, 7), ev('a', 8, 15), ev('a', 16, 2), ev('a', 32, 10), ev('b', 64, 29)];

function tumbling(env: StreamExecutionEnvironment) {
  return env
    .fromElements(...input)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(50).withTimestampAssigner((e) => e.t))
    .keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(10));
}

/** [sum, count] -> "sum/count". */
const sumCount: AggregateFunction<Ev, [number, number], string> = {
  createAccumulator: () => [0, 0],
  add: (e, [s, c]) => [s + e.v, c + 1],
  getResult: ([s, c]) => `${s}/${c}`,
  merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
};

test('aggregate without a ProcessWindowFunction emits getResult at the window max timestamp', async () => {
  // a[0,10) = 21/3, b[0,10) = 2/1, a[10,20) = 40/2, b[20,30) = 64/1.
  const out = await run((env) => {
    stamped(tumbling(env).aggregate(sumCount)).map((r) => `${r.value}@${r.ts}`).collect('out');
  });
  // Each window fires once, so the timestamps fix the order; a's and b's at 9 may come either way.
  assert.deepEqual(sorted(out('out')), sorted(['21/3@9', '2/1@9', '40/2@19', '64/1@29']));
});

test('aggregate with a ProcessWindowFunction hands it the single aggregate with key and window', async () => {
  class Describe extends ProcessWindowFunction<string, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, results: string[], out: Collector<string>): void {
      const w = ctx.window();
      out.collect(`${key}[${w.start},${w.end}) max=${w.maxTimestamp()} ${results.join('|')}`);
    }
  }
  const out = await run((env) => {
    tumbling(env).aggregate(sumCount, new Describe()).collect('out');
  });
  assertPerKeyOrder(out('out'), ['a[0,10) max=9 21/3', 'b[0,10) max=9 2/1', 'a[10,20) max=19 40/2', 'b[20,30) max=29 64/1']);
});

test('reduceWith hands the ProcessWindowFunction the reduced value', async () => {
  // Max value per window, tagged with the window end: a[0,10) 16, b[0,10) 2, a[10,20) 32, b[20,30) 64.
  class Tag extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, max: Ev[], out: Collector<string>): void {
      assert.equal(max.length, 1);
      out.collect(`${key}<${ctx.window().end}:${max[0]!.v}@${max[0]!.t}`);
    }
  }
  const out = await run((env) => {
    stamped(tumbling(env).reduceWith((x, y) => (y.v > x.v ? y : x), new Tag()))
      .map((r) => `${r.value} ts=${r.ts}`)
      .collect('out');
  });
  assertPerKeyOrder(out('out'), ['a<10:16@2 ts=9', 'b<10:2@3 ts=9', 'a<20:32@10 ts=19', 'b<30:64@29 ts=29']);
});

test('process: window bounds, watermark, per-window state across late firings, global state, clear', async () => {
  // Tumbling 10, allowed lateness 10 (cleanup of [0,10) at 19, of [10,20) at 29); ticks set the watermark.
  //   a1@1, b4@3, a2@12; tick 10: fires a[0,10) (window firing 1, key firing 1, 1 record), b[0,10) (1, 1, 1).
  //   a8@5 late: a[0,10) fires again (2, 2, 2 records).
  //   tick 19: cleanup of a[0,10) and b[0,10) (clear() sees 2 and 1 firings); a[10,20) fires (1, 3, 1).
  //   a16@9: 9+10 <= 19, dropped.   a32@15 late: a[10,20) fires again (2, 4, 2 records).
  //   end: cleanup of a[10,20) (2 firings).
  type WEv = Ev & { wm?: number };
  const tick = (wm: number): WEv => ({ ...ev('tick', 0, wm), wm });
  const data: WEv[] = [ev('a', 1, 1), ev('b', 4, 3), ev('a', 2, 12), tick(10), ev('a', 8, 5), tick(19), ev('a', 16, 9), ev('a', 32, 15)];
  // Separate names: as in Flink, one descriptor is one state whose namespace is set per access.
  const windowFirings = new ValueStateDescriptor<number>('window-firings');
  const keyFirings = new ValueStateDescriptor<number>('key-firings');
  const cleared: string[] = [];
  class Track extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
      const perWindow = ctx.windowState().getState(windowFirings);
      const perKey = ctx.globalState().getState(keyFirings);
      perWindow.update((perWindow.value() ?? 0) + 1);
      perKey.update((perKey.value() ?? 0) + 1);
      const w = ctx.window();
      out.collect(`${key}[${w.start},${w.end}) wm=${ctx.currentWatermark()} window#${perWindow.value()} key#${perKey.value()} n=${elements.length}`);
    }
    override clear(ctx: ProcessWindowContext<TimeWindow>): void {
      const s = ctx.windowState().getState(windowFirings);
      const before = s.value();
      s.clear();
      cleared.push(`[${ctx.window().start},${ctx.window().end}) ${before} -> ${s.value()}`);
    }
  }
  const out = await run((env) => {
    env
      .fromElements(...data)
      .assignTimestampsAndWatermarks(punctuated((e: WEv) => e.t, (e) => e.wm))
      .filter((e) => e.k !== 'tick')
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(10)
      .process(new Track())
      .collect('out');
  });
  assertPerKeyOrder(out('out'), [
    'a[0,10) wm=10 window#1 key#1 n=1',
    'b[0,10) wm=10 window#1 key#1 n=1',
    'a[0,10) wm=10 window#2 key#2 n=2',
    'a[10,20) wm=19 window#1 key#3 n=1',
    'a[10,20) wm=19 window#2 key#4 n=2',
  ]);
  assert.deepEqual(sorted(cleared), ['[0,10) 1 -> undefined', '[0,10) 2 -> undefined', '[10,20) 2 -> undefined']);
});

test('side outputs from a ProcessWindowFunction carry the window max timestamp', async () => {
  // Values over 10 go to the side output: 16 from a[0,10) (ts 9), 32 from a[10,20) (ts 19), 64 from b[20,30) (ts 29).
  const big = new OutputTag<number>('big');
  class Split extends ProcessWindowFunction<Ev, number, string, TimeWindow> {
    process(_key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<number>): void {
      for (const e of elements) if (e.v > 10) ctx.output(big, e.v);
      out.collect(elements.length);
    }
  }
  const out = await run((env) => {
    const r = tumbling(env).process(new Split());
    stamped(r).map((x) => `${x.value}@${x.ts}`).collect('counts');
    stamped(r.getSideOutput(big)).map((x) => `${x.value}@${x.ts}`).collect('big');
  });
  assert.deepEqual(sorted(out('counts')), sorted(['3@9', '1@9', '2@19', '1@29']));
  assert.deepEqual(out('big'), ['16@9', '32@19', '64@29']);
});

test('windowAll: one window over all keys, run at parallelism 1 even in a parallel job', async () => {
  // Sliding 20/10 over all records: [-10,10) = 1+2+4+16 = 23, [0,20) = 23+8+32 = 63,
  // [10,30) = 8+32+64 = 104, [20,40) = 64.
  class All extends ProcessAllWindowFunction<Ev, string, TimeWindow> {
    process(ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
      out.collect(`[${ctx.window().start},${ctx.window().end}) ${elements.map((e) => e.v).sort((x, y) => x - y).join(',')}`);
    }
  }
  const out = await run(
    (env) => {
      const timed = env
        .fromElements(...input)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(50).withTimestampAssigner((e) => e.t));
      timed
        .windowAll(SlidingEventTimeWindows.of(20, 10))
        .reduce((x, y) => ({ k: '*', v: x.v + y.v, t: 0 }))
        .map((e) => e.v)
        .collect('sums');
      timed.windowAll(TumblingEventTimeWindows.of(10)).process(new All()).collect('lists');
      timed
        .windowAll(TumblingEventTimeWindows.of(10))
        .aggregate(sumCount)
        .collect('agg');
    },
    { parallelism: 4 },
  );
  assert.deepEqual(out('sums'), [23, 63, 104, 64]);
  assert.deepEqual(out('lists'), ['[0,10) 1,2,4,16', '[10,20) 8,32', '[20,30) 64']);
  assert.deepEqual(out('agg'), ['23/4', '40/2', '64/1']);
});

test('cascaded windows: results are emitted before the watermark that fired them, so the next window takes them', async () => {
  // Keyed tumbling 10, then windowAll tumbling 20; watermark after each record = maxTs - 1.
  //   a1@1, b2@4, a4@11 (wm 10: a[0,10) = 1, b[0,10) = 2 at ts 9), b8@15,
  //   a16@22 (wm 21: a[10,20) = 4, b[10,20) = 8 at ts 19, then the same watermark fires the
  //   second level's [0,20) = 1+2+4+8 = 15 at 19).  End: a[20,30) = 16 at 29 -> [20,40) = 16 at 39.
  // Had the watermark gone ahead of the results, 4 and 8 would be late for [0,20) (19 <= 21).
  const out = await run((env) => {
    const firstLevel = env
      .fromElements(ev('a', 1, 1), ev('b', 2, 4), ev('a', 4, 11), ev('b', 8, 15), ev('a', 16, 22))
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 0))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10))
      .sum('v');
    const secondLevel = firstLevel.windowAll(TumblingEventTimeWindows.of(20)).sum('v');
    stamped(secondLevel).map((r) => `${r.value.v}@${r.ts}`).collect('out');
  });
  assert.deepEqual(out('out'), ['15@19', '16@39']);
});

test('process on processing-time windows sees the firing time and no watermark', async () => {
  // Tumbling 10 of processing time; records at 3 and 12 (source ends at 30): fire at 9 and 19.
  class When extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
      out.collect(`${key}[${ctx.window().start},${ctx.window().end}) pt=${ctx.currentProcessingTime()} wm=${ctx.currentWatermark()} n=${elements.length}`);
    }
  }
  const src = new TimedSource([at(3, ev('a', 1, 0)), at(12, ev('a', 2, 0))], 30);
  const out = await run((env) => {
    env
      .fromSource(src, WatermarkStrategy.noWatermarks<Ev>(), 'timed')
      .keyBy((e) => e.k)
      .window(TumblingProcessingTimeWindows.of(10))
      .process(new When())
      .collect('out');
  });
  assert.deepEqual(out('out'), ['a[0,10) pt=9 wm=-Infinity n=1', 'a[10,20) pt=19 wm=-Infinity n=1']);
});

/**
 * Flink-style accumulators are mutated in place, and Flink's AggregateFunction.merge "may reuse
 * any of the given accumulators as the target". Sliding windows keep one accumulator per window
 * and never merge (only merging windows do), so both are fine. Sliding 10/5 over 1@1, 2@6, 4@12:
 * [-5,5) = 1, [0,10) = 1+2 = 3, [5,15) = 2+4 = 6, [10,20) = 4.
 */
interface SumAcc {
  sum: number;
}
const mutatingSum: AggregateFunction<Ev, SumAcc, number> = {
  createAccumulator: () => ({ sum: 0 }),
  add: (e, acc) => {
    acc.sum += e.v;
    return acc;
  },
  getResult: (acc) => acc.sum,
  merge: (a, b) => {
    b.sum += a.sum;
    return b;
  },
};

function slidingSums(env: StreamExecutionEnvironment, agg: AggregateFunction<Ev, SumAcc, number>) {
  env
    .fromElements(ev('a', 1, 1), ev('a', 2, 6), ev('a', 4, 12))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(50).withTimestampAssigner((e) => e.t))
    .keyBy((e) => e.k)
    .window(SlidingEventTimeWindows.of(10, 5))
    .aggregate(agg)
    .collect('out');
}

test('sliding windows with an aggregate whose merge reuses its second accumulator', async () => {
  const out = await run((env) => slidingSums(env, mutatingSum));
  assert.deepEqual(out('out'), [1, 3, 6, 4]);
});

test('sliding windows with an aggregate that does not implement merge', async () => {
  const noMerge: AggregateFunction<Ev, SumAcc, number> = {
    ...mutatingSum,
    merge: () => {
      throw new Error('merge is only for merging windows');
    },
  };
  const out = await run((env) => slidingSums(env, noMerge));
  assert.deepEqual(out('out'), [1, 3, 6, 4]);
});
