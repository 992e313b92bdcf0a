/**
 * Triggers: EventTimeTrigger, ProcessingTimeTrigger (VirtualClock), CountTrigger,
 * PurgingTrigger, ContinuousEventTimeTrigger. Watermarks are punctuated: a record may carry
 * the watermark to emit right after it (`wm`), and 'tick' records only drive the watermark
 * (they are filtered out before the window), so every firing moment is fixed by the input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuousEventTimeTrigger,
  CountTrigger,
  EventTimeSessionWindows,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  ProcessWindowFunction,
  PurgingTrigger,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../../src/api/index.ts';
import type { Collector, DataStream, KeyedStream, ProcessWindowContext, StreamExecutionEnvironment, TimeWindow } from '../../../src/api/index.ts';
import { at, punctuated, TimedSource } from '../../support/timed-source.ts';
import { ev, run, stamped } from './helpers.ts';
import type { Ev } from './helpers.ts';

/** An event that may carry the watermark to emit after it. */
type WEv = Ev & { wm?: number };
const w = (k: string, v: number, t: number, wm?: number): WEv => (wm === undefined ? ev(k, v, t) : { ...ev(k, v, t), wm });
const tick = (wm: number): WEv => w('tick', 0, wm, wm);

const sumV = (a: Ev, b: Ev): Ev => ({ k: a.k, v: a.v + b.v, t: Math.max(a.t, b.t) });

/** Keyed by k, ticks removed, with each record's `wm` emitted after it. */
function keyedWithWatermarks(env: StreamExecutionEnvironment, input: WEv[]): KeyedStream<Ev, string> {
  return env
    .fromElements(...input)
    .assignTimestampsAndWatermarks(punctuated((e: WEv) => e.t, (e) => e.wm))
    .filter((e) => e.k !== 'tick')
    .keyBy((e) => e.k);
}

/** Emits "sum@windowMaxTs wm=<watermark at firing>" per firing. */
class SumWithWatermark extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(_key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
    out.collect(`${elements.reduce((n, e) => n + e.v, 0)}@${ctx.window().maxTimestamp()} wm=${ctx.currentWatermark()}`);
  }
}

function show(s: DataStream<Ev>): DataStream<string> {
  return stamped(s).map((r) => `${r.value.k}=${r.value.v}@${r.ts}`);
}

test('EventTimeTrigger fires when the watermark reaches the window max timestamp, not before', async () => {
  // Tumbling 10. 1@2 then wm 8: [0,10) (max ts 9) does not fire. 2@5 then wm 9: fires 1+2 = 3 at wm 9.
  // 4@8: [0,10) is past its cleanup time 9 (no allowed lateness): dropped.
  // 8@15, wm 18: [10,20) waits; 16@12, wm 19: fires 8+16 = 24. 32@25 fires at the final watermark.
  const input = [w('a', 1, 2, 8), w('a', 2, 5, 9), w('a', 4, 8), w('a', 8, 15, 18), w('a', 16, 12, 19), w('a', 32, 25)];
  const out = await run((env) => {
    keyedWithWatermarks(env, input).window(TumblingEventTimeWindows.of(10)).trigger(EventTimeTrigger.create()).process(new SumWithWatermark()).collect('out');
  });
  assert.deepEqual(out('out'), ['3@9 wm=9', '24@19 wm=19', '32@29 wm=Infinity']);
});

test('ProcessingTimeTrigger on event-time windows fires at the window max timestamp in processing time', async () => {
  // Event-time tumbling 10 with ProcessingTimeTrigger; no watermarks, so nothing is late.
  // pt 1: 1@3 -> [0,10), timer at pt 9.  pt 2: 2@12 -> [10,20), timer at pt 19.  pt 5: 4@7 -> [0,10).
  // pt 9: [0,10) fires 1+4 = 5 (no purge).  pt 11: 8@4 -> [0,10) again; its timer (9) is already due:
  // fires 1+4+8 = 13.  pt 19: [10,20) fires 2.  The final watermark only cleans up (the trigger
  // ignores event time), so nothing more is emitted.
  const src = new TimedSource([at(1, ev('a', 1, 3), 3), at(2, ev('a', 2, 12), 12), at(5, ev('a', 4, 7), 7), at(11, ev('a', 8, 4), 4)], 30);
  const out = await run((env) => {
    const r = env
      .fromSource(src, WatermarkStrategy.noWatermarks<Ev>(), 'timed')
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10))
      .trigger(ProcessingTimeTrigger.create())
      .reduce(sumV);
    show(r).collect('out');
  });
  assert.deepEqual(out('out'), ['a=5@9', 'a=13@9', 'a=2@19']);
});

// Tumbling 10; all records emitted at once, so the only watermark is the final one.
const countInput = [ev('a', 1, 1), ev('a', 2, 2), ev('a', 4, 3), ev('b', 100, 5), ev('a', 8, 11), ev('a', 16, 4), ev('a', 32, 12)];

function countJob(trigger: CountTrigger | PurgingTrigger<unknown, TimeWindow>) {
  return (env: StreamExecutionEnvironment) => {
    const r = env
      .fromElements(...countInput)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(10))
      .trigger(trigger)
      .reduce(sumV);
    show(r).collect('out');
  };
}

test('CountTrigger fires every n records of a window and replaces the event-time trigger', async () => {
  // CountTrigger(2), no purge. a[0,10): 1, 2 -> fires 3; 4 (count 1); 16 (count 2) -> fires 1+2+4+16 = 23.
  // a[10,20): 8, 32 -> fires 40. b[0,10) holds one record: never fires, not even at the final
  // watermark (the count trigger ignores time; the window is just cleaned up).
  const out = await run(countJob(CountTrigger.of(2)));
  assert.deepEqual(out('out'), ['a=3@9', 'a=23@9', 'a=40@19']);
});

test('PurgingTrigger(CountTrigger) clears the window at every firing', async () => {
  // a[0,10): 1, 2 -> fires 3 and purges; 4, 16 -> fires 20. a[10,20): 8, 32 -> 40. b never fires.
  const out = await run(countJob(PurgingTrigger.of(CountTrigger.of(2))));
  assert.deepEqual(out('out'), ['a=3@9', 'a=20@9', 'a=40@19']);
});

test('PurgingTrigger(EventTimeTrigger) with allowed lateness: a late firing holds only the late records', async () => {
  // Tumbling 10, allowed lateness 5 (cleanup of [0,10) at 14).
  // 1@2, 2@5, 4@11 then wm 10: [0,10) fires 3 and purges.  8@7: late but within lateness: fires 8 alone.
  // 16@15 then wm 14: [0,10) cleaned up.  32@3: 3 + 5 <= 14, too late: dropped.  End: [10,20) = 4+16 = 20.
  const input = [w('a', 1, 2), w('a', 2, 5), w('a', 4, 11, 10), w('a', 8, 7), w('a', 16, 15, 14), w('a', 32, 3)];
  const out = await run((env) => {
    const r = keyedWithWatermarks(env, input).window(TumblingEventTimeWindows.of(10)).allowedLateness(5).trigger(PurgingTrigger.of(EventTimeTrigger.create())).reduce(sumV);
    show(r).collect('out');
  });
  assert.deepEqual(out('out'), ['a=3@9', 'a=8@9', 'a=20@19']);
});

test('ContinuousEventTimeTrigger fires every interval of event time and at the window end', async () => {
  // Tumbling 20, ContinuousEventTimeTrigger(5), allowed lateness 10 (cleanup of [0,20) at 29).
  // Flink: the first record (ts 1) sets the next fire time 1 - 1%5 + 5 = 5; each firing at t sets
  // min(t + 5, 19). So firings at 5, 10, 15 and 19 (19 is also the window end), then only late firings.
  //   1@1, 2@3, 4@6 then wm 6: fires at 5 with 7.   8@12 then wm 12: fires at 10 with 15.
  //   16@14 then wm 16: fires at 15 with 31.       tick wm 19: window end fires 31.
  //   64@7 (late, within lateness): fires at once with 95.  ticks 25 and 30: nothing (no fire time
  //   is left past the window end), and [0,20) is cleaned up at 29.
  const input = [w('a', 1, 1), w('a', 2, 3), w('a', 4, 6, 6), w('a', 8, 12, 12), w('a', 16, 14, 16), tick(19), w('a', 64, 7), tick(25), tick(30)];
  const out = await run((env) => {
    keyedWithWatermarks(env, input).window(TumblingEventTimeWindows.of(20)).allowedLateness(10).trigger(ContinuousEventTimeTrigger.of(5)).process(new SumWithWatermark()).collect('out');
  });
  assert.deepEqual(out('out'), ['7@19 wm=6', '15@19 wm=12', '31@19 wm=16', '31@19 wm=19', '95@19 wm=19']);
});

test('PurgingTrigger(ContinuousEventTimeTrigger) keeps its fire times going across an empty interval', async () => {
  // Tumbling 20, fire every 5 and purge. 1@1, 2@3, tick 6: fires at 5 with 3 (next fire time 10).
  // tick 11: the fire time 10 comes with an empty window: nothing is emitted, but the trigger still
  // runs and sets the next fire time 15 (Flink calls the trigger whatever the contents).
  // 4@13, tick 16: fires at 15 with 4.  8@17, tick 19: window end fires 8.
  const input = [w('a', 1, 1), w('a', 2, 3), tick(6), tick(11), w('a', 4, 13), tick(16), w('a', 8, 17), tick(19)];
  const out = await run((env) => {
    keyedWithWatermarks(env, input).window(TumblingEventTimeWindows.of(20)).trigger(PurgingTrigger.of(ContinuousEventTimeTrigger.of(5))).process(new SumWithWatermark()).collect('out');
  });
  assert.deepEqual(out('out'), ['3@19 wm=6', '4@19 wm=16', '8@19 wm=19']);
});

test('ContinuousEventTimeTrigger on merging session windows carries its fire time into the merged window', async () => {
  // Session gap 10, fire every 5.
  //   1@1 -> [1,11): fire time min(0+5, 10) = 5.   2@3 -> [3,13) merges: [1,13) takes fire time 5.
  //   tick 6: fires [1,13) with 3 (next min(10, 12) = 10).   4@20 -> [20,30): fire time 25.
  //   tick 11: fires [1,13) with 3 (next min(15, 12) = 12).   tick 13: window end 12 fires 3, then cleanup.
  //   End: [20,30) fires at 25 and at its end 29, both with 4 (under the final watermark).
  class Show extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(_k: string, ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
      out.collect(`[${ctx.window().start},${ctx.window().end}) ${elements.reduce((n, e) => n + e.v, 0)} wm=${ctx.currentWatermark()}`);
    }
  }
  const input = [w('a', 1, 1), w('a', 2, 3), tick(6), w('a', 4, 20), tick(11), tick(13)];
  const out = await run((env) => {
    keyedWithWatermarks(env, input).window(EventTimeSessionWindows.withGap(10)).trigger(ContinuousEventTimeTrigger.of(5)).process(new Show()).collect('out');
  });
  assert.deepEqual(out('out'), ['[1,13) 3 wm=6', '[1,13) 3 wm=11', '[1,13) 3 wm=13', '[20,30) 4 wm=Infinity', '[20,30) 4 wm=Infinity']);
});
