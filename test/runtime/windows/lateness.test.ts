/**
 * Allowed lateness: late firings while the window is kept past its end, cleanup at
 * end - 1 + lateness, and records later than that on the sideOutputLateData output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTag, ProcessWindowFunction, SlidingEventTimeWindows, TumblingEventTimeWindows } from '../../../src/api/index.ts';
import type { AggregateFunction, Collector, ProcessWindowContext, TimeWindow } from '../../../src/api/index.ts';
import { watermarkPerEvent } from '../../support/timed-source.ts';
import { assertPerKeyOrder, ev, run, stamped } from './helpers.ts';
import type { Ev } from './helpers.ts';

test('allowed lateness: late firings, cleanup, and the exact records sent to the late side output', async () => {
  // Tumbling 10, allowed lateness 5 (cleanup of [0,10) at 9+5 = 14, of [10,20) at 24),
  // watermark after each record = maxTs - 3 (out-of-orderness 2).
  //  1. a1@4    wm 1
  //  2. b2@6    wm 3
  //  3. a4@13   wm 10: fires a[0,10) = 1, b[0,10) = 2 (timestamp 9)
  //  4. a8@7    late, within lateness: late firing a[0,10) = 1+8 = 9
  //  5. b16@9   late firing b[0,10) = 2+16 = 18
  //  6. a32@16  wm 13
  //  7. b64@2   13 < 14, still kept: late firing b[0,10) = 18+64 = 82
  //  8. a128@18 wm 15: [0,10) of a and b cleaned up ([10,20) waits for 19)
  //  9. b256@5  its only window is gone and 5+5 <= 15: late side output
  // 10. a512@10 into a[10,20)
  // 11. a1024@9 9+5 <= 15: late side output
  // 12. a2048@25 wm 22: fires a[10,20) = 4+32+128+512 = 676 (timestamp 19)
  // 13. b4096@12 b[10,20) is past its end (19 <= 22) but not its cleanup (24): created and fired at once = 4096
  // end: a[20,30) = 2048 (timestamp 29).
  const input = [
    ev('a', 1, 4), ev('b', 2, 6), ev('a', 4, 13), ev('a', 8, 7), ev('b', 16, 9), ev('a', 32, 16), ev('b', 64, 2),
    ev('a', 128, 18), ev('b', 256, 5), ev('a', 512, 10), ev('a', 1024, 9), ev('a', 2048, 25), ev('b', 4096, 12),
  ];
  const late = new OutputTag<Ev>('late-data');
  const out = await run((env) => {
    const sums = env
      .fromElements(...input)
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 2))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(5)
      .sideOutputLateData(late)
      .reduce((x, y) => ({ k: x.k, v: x.v + y.v, t: Math.max(x.t, y.t) }));
    stamped(sums).map((r) => `${r.value.k}=${r.value.v}@${r.ts}`).collect('out');
    // Late records keep their own timestamps.
    stamped(sums.getSideOutput(late)).collect('late');
  });
  assertPerKeyOrder(out('out'), ['a=1@9', 'b=2@9', 'a=9@9', 'b=18@9', 'b=82@9', 'a=676@19', 'b=4096@19', 'a=2048@29']);
  assert.deepEqual(out('late'), [
    { value: ev('b', 256, 5), ts: 5 },
    { value: ev('a', 1024, 9), ts: 9 },
  ]);
});

test('without allowed lateness every record behind the watermark is late, and without a side output it is dropped', async () => {
  // wm = maxTs - 1. 1@5 (wm 4), 2@12 (wm 11: fires [0,10) = 1), 4@9 (9 <= 11: late),
  // 8@10 ([10,20) open), 16@0 (late). End: [10,20) = 2+8 = 10.
  const input = [ev('a', 1, 5), ev('a', 2, 12), ev('a', 4, 9), ev('a', 8, 10), ev('a', 16, 0)];
  const late = new OutputTag<Ev>('late');
  const out = await run((env) => {
    const keyed = env
      .fromElements(...input)
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 0))
      .keyBy((e) => e.k);
    const withSide = keyed.window(TumblingEventTimeWindows.of(10)).sideOutputLateData(late).sum('v');
    withSide.map((e) => e.v).collect('with-side');
    withSide.getSideOutput(late).map((e) => e.v).collect('late');
    keyed.window(TumblingEventTimeWindows.of(10)).sum('v').map((e) => e.v).collect('dropped');
  });
  assert.deepEqual(out('with-side'), [1, 10]);
  assert.deepEqual(out('late'), [4, 16]);
  assert.deepEqual(out('dropped'), [1, 10]);
});

/** Sum of v. */
const sumAgg: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (x, y) => x + y,
};

/**
 * Sliding 10/5, allowed lateness 5, watermark after each record = maxTs - 3. A record at t goes
 * to [s, s+10) and [s-5, s+5), s = t - t%5.
 *  1. a1@2     a[0,10), a[-5,5); wm -1
 *  2. a2@6     a[5,15), a[0,10); wm 3
 *  3. b4@8     b[5,15), b[0,10); wm 5: fires a[-5,5) = 1 (ts 4)
 *  4. a8@3     a[-5,5) is past its end but kept until 9: late firing 1+8 = 9 (ts 4); also into a[0,10)
 *  5. a16@13   a[10,20), a[5,15); wm 10: fires a[0,10) = 1+2+8 = 11, b[0,10) = 4 (ts 9); a[-5,5) cleaned up
 *  6. a32@1    late firing a[0,10) = 43; a[-5,5) is gone (but the record was not skipped: no side output)
 *  7. b64@4    late firing b[0,10) = 68
 *  8. a128@19  a[15,25), a[10,20); wm 16: fires a[5,15) = 2+16 = 18, b[5,15) = 4 (ts 14); [0,10) cleaned up
 *  9. a256@7   late firing a[5,15) = 274; a[0,10) is gone
 * 10. b512@2   both windows gone and 2+5 <= 16: side output
 * end: a[10,20) = 16+128 = 144 (ts 19), a[15,25) = 128 (ts 24).
 */
const slidingInput = [
  ev('a', 1, 2), ev('a', 2, 6), ev('b', 4, 8), ev('a', 8, 3), ev('a', 16, 13),
  ev('a', 32, 1), ev('b', 64, 4), ev('a', 128, 19), ev('a', 256, 7), ev('b', 512, 2),
];
const slidingA = ['1@4', '9@4', '11@9', '43@9', '18@14', '274@14', '144@19', '128@24'];
const slidingB = ['4@9', '68@9', '4@14'];

/** Sum of v, reported with the key: "a 42". */
const keyedSumAgg: AggregateFunction<Ev, { k: string; sum: number }, string> = {
  createAccumulator: () => ({ k: '', sum: 0 }),
  add: (e, acc) => ({ k: e.k, sum: acc.sum + e.v }),
  getResult: (acc) => `${acc.k} ${acc.sum}`,
  merge: (x, y) => ({ k: x.k || y.k, sum: x.sum + y.sum }),
};

class Keyed extends ProcessWindowFunction<number, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, sums: number[], out: Collector<string>): void {
    out.collect(`${key}[${ctx.window().start},${ctx.window().end}) ${sums.join(',')}`);
  }
}

for (const slicing of ['true', 'false']) {
  for (const withProcess of [true, false]) {
    test(`sliding windows with an aggregate${withProcess ? ' + ProcessWindowFunction' : ''}: late firings and late records (weir.window.slicing=${slicing})`, async () => {
      const late = new OutputTag<Ev>('late');
      const out = await run(
        (env) => {
          const windowed = env
            .fromElements(...slidingInput)
            .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 2))
            .keyBy((e) => e.k)
            .window(SlidingEventTimeWindows.of(10, 5))
            .allowedLateness(5)
            .sideOutputLateData(late);
          const sums = withProcess ? windowed.aggregate(sumAgg, new Keyed()) : windowed.aggregate(keyedSumAgg);
          stamped(sums).map((r) => `${r.value}@${r.ts}`).collect('out');
          sums.getSideOutput(late).collect('late');
        },
        { config: { 'weir.window.slicing': slicing } },
      );
      // Across keys the order of firings at one watermark is not defined; per key it is.
      const ofKey = (k: string) => (out('out') as string[]).filter((s) => s.startsWith(k));
      assert.deepEqual(ofKey('a').map((s) => s.slice(s.indexOf(' ') + 1)), slidingA);
      assert.deepEqual(ofKey('b').map((s) => s.slice(s.indexOf(' ') + 1)), slidingB);
      if (withProcess) {
        assert.deepEqual(ofKey('a').map((s) => s.slice(1, s.indexOf(' '))), ['[-5,5)', '[-5,5)', '[0,10)', '[0,10)', '[5,15)', '[5,15)', '[10,20)', '[15,25)']);
        assert.deepEqual(ofKey('b').map((s) => s.slice(1, s.indexOf(' '))), ['[0,10)', '[0,10)', '[5,15)']);
      }
      assert.deepEqual(out('late'), [ev('b', 512, 2)]);
    });
  }
}
