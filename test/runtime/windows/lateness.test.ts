/**
 * Allowed lateness: late firings while the window is kept past its end, cleanup at
 * end - 1 + lateness, and records later than that on the sideOutputLateData output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTag, TumblingEventTimeWindows } from '../../../src/api/index.ts';
import { watermarkPerEvent } from '../../support/timed-source.ts';
import { ev, run, stamped } from './helpers.ts';
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
  assert.deepEqual(out('out'), ['a=1@9', 'b=2@9', 'a=9@9', 'b=18@9', 'b=82@9', 'a=676@19', 'b=4096@19', 'a=2048@29']);
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
