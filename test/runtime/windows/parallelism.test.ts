/**
 * A keyed windowed job gives the same results at parallelism 1 and 4: records and
 * watermarks reach each window subtask in the same order whatever the key's subtask.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventTimeSessionWindows, OutputTag, SlidingEventTimeWindows, TumblingEventTimeWindows, WatermarkStrategy } from '../../../src/api/index.ts';
import type { StreamExecutionEnvironment } from '../../../src/api/index.ts';
import { at, TimedSource } from '../../support/timed-source.ts';
import type { TimedElement } from '../../support/timed-source.ts';
import { ev, run, sorted, stamped } from './helpers.ts';
import type { Ev } from './helpers.ts';

/** 400 records over 13 keys, one every 5 ms of processing time, event times up to 150 ms behind. */
function makeInput(): TimedElement<Ev>[] {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const out: TimedElement<Ev>[] = [];
  for (let i = 0; i < 400; i++) {
    const pt = i * 5;
    out.push(at(pt, ev(`k${rnd(13)}`, 1 + rnd(100), Math.max(0, pt - rnd(150)))));
  }
  return out;
}

const input = makeInput();
const total = input.reduce((n, e) => n + e.value.v, 0);

function job(env: StreamExecutionEnvironment): void {
  // Periodic watermarks (every 200 ms of processing time), 20 ms out-of-orderness: some records are late.
  // The assigner runs at parallelism 1 so both runs see one watermark sequence.
  const timed = env
    .fromSource(new TimedSource(input), WatermarkStrategy.forBoundedOutOfOrderness<Ev>(20).withTimestampAssigner((e) => e.t), 'timed')
    .setParallelism(1);
  const keyed = timed.keyBy((e) => e.k);
  const sum = (a: Ev, b: Ev): Ev => ({ k: a.k, v: a.v + b.v, t: Math.max(a.t, b.t) });
  const show = (r: { value: Ev; ts: number | undefined }) => `${r.value.k}=${r.value.v}@${r.ts}`;

  const late = new OutputTag<Ev>('late');
  const tumbling = keyed.window(TumblingEventTimeWindows.of(100)).sideOutputLateData(late).reduce(sum);
  stamped(tumbling).map(show).collect('tumbling');
  tumbling.getSideOutput(late).collect('late');

  const lateTag2 = new OutputTag<Ev>('late-2');
  const lateFirings = keyed.window(TumblingEventTimeWindows.of(100)).allowedLateness(40).sideOutputLateData(lateTag2).reduce(sum);
  stamped(lateFirings).map(show).collect('late-firings');
  lateFirings.getSideOutput(lateTag2).collect('too-late');

  stamped(keyed.window(SlidingEventTimeWindows.of(150, 50)).reduce(sum)).map(show).collect('sliding');

  // Sliding aggregate with lateness and a late output (what weir.window.slicing may compute from slices).
  const lateTag3 = new OutputTag<Ev>('late-3');
  const sumCount = {
    createAccumulator: (): [string, number, number] => ['', 0, 0],
    add: (e: Ev, [, s, c]: [string, number, number]): [string, number, number] => [e.k, s + e.v, c + 1],
    getResult: ([k, s, c]: [string, number, number]) => `${k}=${s}/${c}`,
    merge: (a: [string, number, number], b: [string, number, number]): [string, number, number] => [a[0] || b[0], a[1] + b[1], a[2] + b[2]],
  };
  const slidingAgg = keyed.window(SlidingEventTimeWindows.of(100, 50)).allowedLateness(10).sideOutputLateData(lateTag3).aggregate(sumCount);
  stamped(slidingAgg).map((r) => `${r.value}@${r.ts}`).collect('sliding-aggregate');
  slidingAgg.getSideOutput(lateTag3).collect('sliding-late');
  stamped(keyed.window(EventTimeSessionWindows.withGap(30)).reduce(sum)).map(show).collect('sessions');
}

const NAMES = ['tumbling', 'late', 'late-firings', 'too-late', 'sliding', 'sessions', 'sliding-aggregate', 'sliding-late'];

test('keyed windows: identical results at parallelism 1 and 4', async () => {
  const p1 = await run(job, { parallelism: 1 });
  const p4 = await run(job, { parallelism: 4 });
  for (const name of NAMES) {
    assert.deepEqual(sorted(p4(name)), sorted(p1(name)), name);
  }
  // The input was chosen so that all kinds of outcomes happen.
  assert.ok(p1('late').length > 0, 'some records are late');
  assert.ok(p1('late-firings').length > p1('tumbling').length, 'some late firings');
  // Tumbling windows without lateness count every record once, in a window or on the late output.
  const counted = (p1('tumbling') as string[]).reduce((n, s) => n + Number(s.slice(s.indexOf('=') + 1, s.indexOf('@'))), 0);
  assert.equal(counted + (p1('late') as Ev[]).reduce((n, e) => n + e.v, 0), total);
});

test('sliding aggregates: identical results with and without weir.window.slicing, at parallelism 1 and 4', async () => {
  const general = await run(job, { parallelism: 1, config: { 'weir.window.slicing': 'false' } });
  for (const parallelism of [1, 4]) {
    const sliced = await run(job, { parallelism, config: { 'weir.window.slicing': 'true' } });
    for (const name of NAMES) assert.deepEqual(sorted(sliced(name)), sorted(general(name)), `${name} at parallelism ${parallelism}`);
  }
  assert.ok(general('sliding-late').length > 0, 'some records are too late for the sliding windows');
});
