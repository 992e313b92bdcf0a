/**
 * Every window assigner with out-of-order input. Expected values are worked out by hand in
 * the comments: watermark = maxTs - outOfOrderness - 1 (emitted after every event here),
 * a window fires when the watermark reaches end - 1 and its result carries timestamp end - 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  OutputTag,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
} from '../../../src/api/index.ts';
import type { DataStream } from '../../../src/api/index.ts';
import { at, TimedSource, watermarkPerEvent } from '../../support/timed-source.ts';
import { assertPerKeyOrder, ev, run, stamped } from './helpers.ts';
import type { Ev } from './helpers.ts';

const sumV = (a: Ev, b: Ev): Ev => ({ k: a.k, v: a.v + b.v, t: Math.max(a.t, b.t) });

/** "k=v@ts" for each window result. */
function show(s: DataStream<Ev>): DataStream<string> {
  return stamped(s).map((r) => `${r.value.k}=${r.value.v}@${r.ts}`);
}

test('tumbling event-time windows with out-of-order input', async () => {
  // size 10, out-of-orderness 5 (watermark after each event = maxTs - 6):
  //   a1@3 (wm -3), b2@7 (wm 1), a4@12 (wm 6), a8@1 (into a[0,10), still open),
  //   b16@15 (wm 9: fires a[0,10)=1+8, b[0,10)=2 at ts 9),
  //   a32@9 (a[0,10) is past cleanup 9 <= wm 9: dropped), a64@19 (wm 13),
  //   b128@25 (wm 19: fires a[10,20)=4+64, b[10,20)=16 at ts 19), end: b[20,30)=128 at ts 29.
  const input = [ev('a', 1, 3), ev('b', 2, 7), ev('a', 4, 12), ev('a', 8, 1), ev('b', 16, 15), ev('a', 32, 9), ev('a', 64, 19), ev('b', 128, 25)];
  const out = await run((env) => {
    const w = env
      .fromElements(...input)
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 5))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10))
      .reduce(sumV);
    show(w).collect('out');
  });
  assertPerKeyOrder(out('out'), ['a=9@9', 'b=2@9', 'a=68@19', 'b=16@19', 'b=128@29']);
});

test('tumbling event-time windows with an offset', async () => {
  // size 10, offset 3: windows [-7,3), [3,13), [13,23). ts 2 -> [-7,3); 3 and 12 -> [3,13); 13 -> [13,23).
  const out = await run((env) => {
    const w = env
      .fromElements(ev('a', 1, 2), ev('a', 2, 3), ev('a', 4, 12), ev('a', 8, 13))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10, 3))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=1@2', 'a=6@12', 'a=8@22']);
});

test('sliding event-time windows: a record late for one window still counts in the others', async () => {
  // size 10, slide 5, out-of-orderness 0 (wm = maxTs - 1). ts t goes to [s, s+10) and [s-5, s+5), s = t - t%5.
  //   1@2 -> [0,10),[-5,5); wm 1.   2@6 -> [5,15),[0,10); wm 5: fires [-5,5) = 1 at 4.
  //   4@4 -> [0,10) (open) and [-5,5) (late: 4 <= wm 5): added to [0,10) only, not a late record.
  //   8@11 -> [10,20),[5,15); wm 10: fires [0,10) = 1+2+4 = 7 at 9.
  //   16@3 -> [0,10),[-5,5) both past cleanup: skipped, and 3 <= wm 10: to the late side output.
  //   32@14 -> [10,20),[5,15); wm 13.   end: [5,15) = 2+8+32 = 42 at 14, [10,20) = 8+32 = 40 at 19.
  const late = new OutputTag<Ev>('late');
  const out = await run((env) => {
    const w = env
      .fromElements(ev('a', 1, 2), ev('a', 2, 6), ev('a', 4, 4), ev('a', 8, 11), ev('a', 16, 3), ev('a', 32, 14))
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 0))
      .keyBy((e) => e.k)
      .window(SlidingEventTimeWindows.of(10, 5))
      .sideOutputLateData(late)
      .reduce(sumV);
    show(w).collect('out');
    w.getSideOutput(late).collect('late');
  });
  assert.deepEqual(out('out'), ['a=1@4', 'a=7@9', 'a=42@14', 'a=40@19']);
  assert.deepEqual(out('late'), [ev('a', 16, 3)]);
});

test('a reduce that changes its first argument in place: an element in several sliding windows is its own in each', async () => {
  // The input and windows of the test above (late data aside); the sums must not bleed between windows.
  const sumInPlace = (a: Ev, b: Ev): Ev => {
    a.v += b.v;
    a.t = Math.max(a.t, b.t);
    return a;
  };
  const out = await run((env) => {
    const w = env
      .fromElements(ev('a', 1, 2), ev('a', 2, 6), ev('a', 4, 4), ev('a', 8, 11), ev('a', 32, 14))
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 0))
      .keyBy((e) => e.k)
      .window(SlidingEventTimeWindows.of(10, 5))
      .reduce(sumInPlace);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=1@4', 'a=7@9', 'a=42@14', 'a=40@19']);
});

test('event-time session windows merge out-of-order records', async () => {
  // gap 5, out-of-orderness 10 (wm = maxTs - 11).
  //   a1@1 -> a[1,6).  a2@10 -> a[10,15).  a4@6 -> [6,11) touches both: a[1,15).
  //   b8@3 -> b[3,8).  b16@20 -> b[20,25); wm 9.
  //   a32@30 -> a[30,35); wm 19: fires b[3,8) = 8 at 7, then a[1,15) = 1+2+4 = 7 at 14.
  //   b64@22 -> [22,27) merges with b[20,25): b[20,27).
  //   end: b[20,27) = 16+64 = 80 at 26, a[30,35) = 32 at 34.
  const input = [ev('a', 1, 1), ev('a', 2, 10), ev('a', 4, 6), ev('b', 8, 3), ev('b', 16, 20), ev('a', 32, 30), ev('b', 64, 22)];
  const out = await run((env) => {
    const w = env
      .fromElements(...input)
      .assignTimestampsAndWatermarks(watermarkPerEvent((e: Ev) => e.t, 10))
      .keyBy((e) => e.k)
      .window(EventTimeSessionWindows.withGap(5))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['b=8@7', 'a=7@14', 'b=80@26', 'a=32@34']);
});

test('event-time session windows with a dynamic gap', async () => {
  // gap = the record's value: 1@0 -> [0,1); 10@5 -> [5,15); 2@14 -> [14,16) merges: [5,16).
  // 4@20 -> [20,24). All emitted at once, so everything fires at the end: 1 at 0, 12 at 15, 4 at 23.
  const out = await run((env) => {
    const w = env
      .fromElements(ev('a', 1, 0), ev('a', 10, 5), ev('a', 2, 14), ev('a', 4, 20))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(100).withTimestampAssigner((e) => e.t))
      .keyBy((e) => e.k)
      .window(EventTimeSessionWindows.withDynamicGap((e: Ev) => e.v))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=1@0', 'a=12@15', 'a=4@23']);
});

test('tumbling processing-time windows ignore event timestamps', async () => {
  // Windows of 10 ms of processing time; the event timestamps (out of order) play no part.
  // Emitted at 1, 4, 9 -> [0,10) fires at 9 with 1+2+4; at 10, 15 -> [10,20) fires at 19 with 8+16;
  // at 23 -> [20,30) fires at 29 with 32. The source ends at 40, after every window fired.
  const src = new TimedSource([at(1, ev('a', 1, 50)), at(4, ev('a', 2, 5)), at(9, ev('a', 4, 30)), at(10, ev('a', 8, 1)), at(15, ev('a', 16, 99)), at(23, ev('a', 32, 0))], 40);
  const out = await run((env) => {
    const w = env
      .fromSource(src, WatermarkStrategy.noWatermarks<Ev>(), 'timed')
      .keyBy((e) => e.k)
      .window(TumblingProcessingTimeWindows.of(10))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=7@9', 'a=24@19', 'a=32@29']);
});

test('sliding processing-time windows', async () => {
  // size 10, slide 5. At 1 -> [0,10),[-5,5); at 6 -> [5,15),[0,10); at 12 -> [10,20),[5,15).
  // Fires at 4: [-5,5) = 1; at 9: [0,10) = 1+2; at 14: [5,15) = 2+4; at 19: [10,20) = 4.
  const src = new TimedSource([at(1, ev('a', 1, 0)), at(6, ev('a', 2, 0)), at(12, ev('a', 4, 0))], 40);
  const out = await run((env) => {
    const w = env
      .fromSource(src, WatermarkStrategy.noWatermarks<Ev>(), 'timed')
      .keyBy((e) => e.k)
      .window(SlidingProcessingTimeWindows.of(10, 5))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=1@4', 'a=3@9', 'a=6@14', 'a=4@19']);
});

test('processing-time session windows merge and fire gap after the last record', async () => {
  // gap 5. At 0 -> [0,5); at 3 -> [3,8) merges: [0,8) (its timer moves from 4 to 7);
  // at 6 -> [6,11) merges: [0,11), fires at 10 with 1+2+4. At 20 -> [20,25), fires at 24 with 8.
  // Key b at 2 -> [2,7), fires at 6 on its own.
  const src = new TimedSource([at(0, ev('a', 1, 0)), at(2, ev('b', 100, 0)), at(3, ev('a', 2, 0)), at(6, ev('a', 4, 0)), at(20, ev('a', 8, 0))], 40);
  const out = await run((env) => {
    const w = env
      .fromSource(src, WatermarkStrategy.noWatermarks<Ev>(), 'timed')
      .keyBy((e) => e.k)
      .window(ProcessingTimeSessionWindows.withGap(5))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['b=100@6', 'a=7@10', 'a=8@24']);
});

const countInput = [ev('a', 1, 0), ev('a', 2, 0), ev('b', 10, 0), ev('a', 3, 0), ev('a', 4, 0), ev('b', 20, 0), ev('b', 30, 0), ev('a', 5, 0), ev('a', 6, 0), ev('a', 7, 0)];

test('global windows with a count trigger fire every n records and keep their contents', async () => {
  // CountTrigger(3) without purging: a fires at its 3rd record (1+2+3 = 6) and its 6th (1+...+6 = 21);
  // b at its 3rd (60). a's 7th record is one of the next three: never fires (global windows never end).
  // Results carry the global window's max timestamp, +Infinity.
  const out = await run((env) => {
    const w = env.fromElements(...countInput).keyBy((e) => e.k).window(GlobalWindows.create()).trigger(CountTrigger.of(3)).reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=6@Infinity', 'b=60@Infinity', 'a=21@Infinity']);
});

test('countWindow(size) fires and purges every size records per key', async () => {
  // a: [1,2,3] = 6 at its 3rd record, [4,5,6] = 15 at its 6th; 7 is left over and never fires. b: 60.
  const out = await run((env) => {
    env.fromElements(...countInput).keyBy((e) => e.k).countWindow(3).reduce(sumV).map((e) => `${e.k}=${e.v}`).collect('out');
  });
  assert.deepEqual(out('out'), ['a=6', 'b=60', 'a=15']);
});

test('countWindow(size, slide) fires every slide records over the last size records', async () => {
  // CountEvictor(3) + CountTrigger(2): a fires at its 2nd record over [1,2] = 3, at its 4th over
  // [2,3,4] = 9 (1 evicted), at its 6th over [4,5,6] = 15; b at its 2nd over [10,20] = 30.
  // Arrival: a1 a2(fire) b10 a3 a4(fire) b20(fire) b30 a5 a6(fire) a7.
  const out = await run((env) => {
    env.fromElements(...countInput).keyBy((e) => e.k).countWindow(3, 2).reduce(sumV).map((e) => `${e.k}=${e.v}`).collect('out');
  });
  assert.deepEqual(out('out'), ['a=3', 'a=9', 'b=30', 'a=15']);
});

test('sliding windows whose size is not a multiple of the slide, over negative timestamps', async () => {
  // size 10, slide 4. ts -3: last start = -4 (floor to the slide), then -8, -12 (> -3 - 10):
  // [-4,6), [-8,2), [-12,-2). ts 5: last start 4, then 0, -4: [4,14), [0,10), [-4,6).
  // By window end: [-12,-2) = 1 at -3, [-8,2) = 1 at 1, [-4,6) = 1+2 at 5, [0,10) = 2 at 9, [4,14) = 2 at 13.
  const out = await run((env) => {
    const w = env
      .fromElements(ev('a', 1, -3), ev('a', 2, 5))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(100).withTimestampAssigner((e) => e.t))
      .keyBy((e) => e.k)
      .window(SlidingEventTimeWindows.of(10, 4))
      .reduce(sumV);
    show(w).collect('out');
  });
  assert.deepEqual(out('out'), ['a=1@-3', 'a=1@1', 'a=3@5', 'a=2@9', 'a=2@13']);
});
