/**
 * CountEvictor and TimeEvictor, evicting before and after the window function. Evicted
 * records leave the window for good, which shows in the late firings (allowed lateness 10).
 *
 * Common input, window [0,10): 1@5, 2@1, 4@8, 8@3 (in this arrival order), then a tick to
 * watermark 9 fires the window; then late records 16@7 and 32@2 each cause a late firing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountEvictor, ProcessWindowFunction, TimeEvictor, TumblingEventTimeWindows } from '../../../src/api/index.ts';
import type { Collector, Evictor, ProcessWindowContext, StreamExecutionEnvironment, TimeWindow, Window } from '../../../src/api/index.ts';
import { punctuated } from '../../support/timed-source.ts';
import { ev, run } from './helpers.ts';
import type { Ev } from './helpers.ts';

type WEv = Ev & { wm?: number };
const input: WEv[] = [ev('a', 1, 5), ev('a', 2, 1), ev('a', 4, 8), ev('a', 8, 3), { ...ev('tick', 0, 9), wm: 9 }, ev('a', 16, 7), ev('a', 32, 2)];

/** Lists the values the function sees, in window order. */
class ListValues extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(_k: string, _ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
    out.collect(elements.map((e) => e.v).join(','));
  }
}

function windowed(env: StreamExecutionEnvironment, evictor: Evictor<Ev, Window>) {
  return env
    .fromElements(...input)
    .assignTimestampsAndWatermarks(punctuated((e: WEv) => e.t, (e) => e.wm))
    .filter((e) => e.k !== 'tick')
    .keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(10))
    .allowedLateness(10)
    .evictor(evictor);
}

test('CountEvictor (before) keeps the most recently added records, and evicted ones are gone for good', async () => {
  // Keep 2, by arrival (not timestamp) order. wm 9: [1,2,4,8] -> sees 4,8 (1, 2 removed from the window).
  // 16 late: [4,8,16] -> 8,16.   32 late: [8,16,32] -> 16,32.
  const out = await run((env) => {
    windowed(env, CountEvictor.of(2)).process(new ListValues()).collect('out');
  });
  assert.deepEqual(out('out'), ['4,8', '8,16', '16,32']);
});

test('CountEvictor (after) lets the function see everything, then trims the window', async () => {
  // wm 9: sees 1,2,4,8, keeps [4,8].   16: sees 4,8,16, keeps [8,16].   32: sees 8,16,32.
  const out = await run((env) => {
    windowed(env, CountEvictor.of(2, true)).process(new ListValues()).collect('out');
  });
  assert.deepEqual(out('out'), ['1,2,4,8', '4,8,16', '8,16,32']);
});

test('CountEvictor with an incremental function reduces only what is left', async () => {
  // Same as "before", summed: 4+8 = 12, 8+16 = 24, 16+32 = 48.
  const out = await run((env) => {
    windowed(env, CountEvictor.of(2))
      .reduce((a, b) => ({ ...a, v: a.v + b.v }))
      .map((e) => e.v)
      .collect('out');
  });
  assert.deepEqual(out('out'), [12, 24, 48]);
});

test('TimeEvictor (before) keeps records within the size of the newest timestamp', async () => {
  // Size 3: keep timestamps > newest - 3. wm 9: newest 8, keep ts > 5: [4@8] -> sees 4.
  // 16@7: [4@8, 16@7], newest 8: both kept -> 4,16.   32@2: [4@8, 16@7, 32@2] -> 32 evicted -> 4,16.
  const out = await run((env) => {
    windowed(env, TimeEvictor.of(3)).process(new ListValues()).collect('out');
  });
  assert.deepEqual(out('out'), ['4', '4,16', '4,16']);
});

test('TimeEvictor (after) evicts once the function has seen the records', async () => {
  // wm 9: sees 1,2,4,8, keeps [4@8].   16@7: sees 4,16, keeps both.   32@2: sees 4,16,32, keeps [4,16].
  const out = await run((env) => {
    windowed(env, TimeEvictor.of(3, true)).process(new ListValues()).collect('out');
  });
  assert.deepEqual(out('out'), ['1,2,4,8', '4,16', '4,16,32']);
});
