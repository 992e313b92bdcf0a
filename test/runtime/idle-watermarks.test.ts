/**
 * Idle inputs: with withIdleness, an input that stops sending events no longer holds back
 * the downstream watermark; without it, the downstream waits for it (here: until it ends).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedCoProcessFunction, KeyedProcessFunction, ProcessFunction, TumblingEventTimeWindows, WatermarkStrategy, defineJob } from '../../src/api/index.ts';
import type { Collector, DataStream, KeyedProcessContext, OnTimerContext, ProcessContext, StreamExecutionEnvironment } from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { ScriptedSource } from '../support/scripted-source.ts';

interface Ev {
  src: 'A' | 'B';
  ts: number;
}

/**
 * A: an event every 100 ms of processing time from 0 to 1000 (event time = processing
 * time), ending at 3000; B: one event at 0, then silence until it ends at 2000. Both use monotonous periodic
 * watermarks (max timestamp - 1, every 200 ms: at 200, 400, ...); B optionally idles after 300 ms.
 */
function inputs(env: StreamExecutionEnvironment, idleness: boolean): [DataStream<Ev>, DataStream<Ev>] {
  const a = new ScriptedSource<Ev>(
    Array.from({ length: 11 }, (_, i) => ({ at: i * 100, value: { src: 'A' as const, ts: i * 100 }, ts: i * 100 })),
    3000,
  );
  const b = new ScriptedSource<Ev>([{ at: 0, value: { src: 'B', ts: 0 }, ts: 0 }], 2000);
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>();
  return [env.fromSource(a, strategy, 'A'), env.fromSource(b, idleness ? strategy.withIdleness(300) : strategy, 'B')];
}

/** Records the watermark each A event sees, and when an event-time timer at 500 fires. */
function onEvent(e: Ev, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
  if (e.src !== 'A') return;
  out.collect(`A${e.ts} wm=${ctx.timerService().currentWatermark()}`);
  if (e.ts === 0) ctx.timerService().registerEventTimeTimer(500);
}
function onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
  out.collect(`timer@${t} pt=${ctx.timerService().currentProcessingTime()} wm=${ctx.timerService().currentWatermark()}`);
}

class Probe extends KeyedProcessFunction<string, Ev, string> {
  processElement = onEvent;
  override onTimer = onTimer;
}
class CoProbe extends KeyedCoProcessFunction<string, Ev, Ev, string> {
  processElement1 = onEvent;
  processElement2 = onEvent;
  override onTimer = onTimer;
}

// Hand-worked, idle case. At 200: A's watermark 199, B's -1 (max 0 - 1) -> downstream -1.
// At 400: B has had no event for 400 >= 300 ms -> idle; A's 399 -> downstream 399.
// At 600: A's 599 fires the timer at 500. Each A event at t arrives before the periodic
// watermark of the same instant, so it sees the previous one.
const IDLE = [
  'A0 wm=-Infinity',
  'A100 wm=-Infinity',
  'A200 wm=-Infinity',
  'A300 wm=-1',
  'A400 wm=-1',
  'A500 wm=399',
  'A600 wm=399',
  'timer@500 pt=600 wm=599',
  'A700 wm=599',
  'A800 wm=599',
  'A900 wm=799',
  'A1000 wm=799',
];
// Not idle: B's -1 holds the downstream at -1 until B ends at 2000; from then on only A
// counts, whose last watermark is 999 (max 1000 - 1), so the timer fires at 2000 with 999.
const HELD = [
  'A0 wm=-Infinity',
  'A100 wm=-Infinity',
  'A200 wm=-Infinity',
  'A300 wm=-1',
  'A400 wm=-1',
  'A500 wm=-1',
  'A600 wm=-1',
  'A700 wm=-1',
  'A800 wm=-1',
  'A900 wm=-1',
  'A1000 wm=-1',
  'timer@500 pt=2000 wm=999',
];

for (const idleness of [true, false]) {
  test(`union with an input that goes quiet, ${idleness ? 'with' : 'without'} idleness`, async () => {
    const job = defineJob((env) => {
      const [a, b] = inputs(env, idleness);
      a.union(b)
        .keyBy(() => 'k')
        .process(new Probe())
        .collect('out');
    });
    const r = await runJob(job, { parallelism: 1, clock: new VirtualClock() });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    assert.deepEqual(r.collected.get('out'), idleness ? IDLE : HELD);
  });

  test(`connect (two inputs) with an input that goes quiet, ${idleness ? 'with' : 'without'} idleness`, async () => {
    const job = defineJob((env) => {
      const [a, b] = inputs(env, idleness);
      a.connect(b)
        .keyBy(
          () => 'k',
          () => 'k',
        )
        .process(new CoProbe())
        .collect('out');
    });
    const r = await runJob(job, { parallelism: 1, clock: new VirtualClock() });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    assert.deepEqual(r.collected.get('out'), idleness ? IDLE : HELD);
  });
}

test('a two-input operator whose inputs are both idle is idle downstream', async () => {
  // B1 and B2 (like B above, idle after 300 ms) meet in a CoMap whose output is unioned
  // with A. Once both CoMap inputs are idle (at 400) the CoMap output must count as idle,
  // so the union follows A alone: the same as the idle case above.
  const quiet = () => new ScriptedSource<Ev>([{ at: 0, value: { src: 'B', ts: 0 }, ts: 0 }], 2000);
  const job = defineJob((env) => {
    const [a] = inputs(env, true);
    const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withIdleness(300);
    const b1 = env.fromSource(quiet(), strategy, 'B1');
    const b2 = env.fromSource(quiet(), strategy, 'B2');
    b1.connect(b2)
      .map({ map1: (e: Ev) => e, map2: (e: Ev) => e })
      .union(a)
      .keyBy(() => 'k')
      .process(new Probe())
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual(r.collected.get('out'), IDLE);
});

for (const idleness of [true, false]) {
  test(`an event-time window over a union ${idleness ? 'fires once A passes it when B is idle' : 'waits for B to end'}`, async () => {
    const job = defineJob((env) => {
      const [a, b] = inputs(env, idleness);
      a.union(b)
        .map((e) => e.ts)
        .windowAll(TumblingEventTimeWindows.of(500))
        .sum()
        .process(
          new (class extends ProcessFunction<number, string> {
            processElement(sum: number, ctx: ProcessContext, out: Collector<string>): void {
              out.collect(`sum=${sum} ts=${ctx.timestamp()} pt=${ctx.timerService().currentProcessingTime()}`);
            }
          })(),
        )
        .collect('out');
    });
    const r = await runJob(job, { parallelism: 1, clock: new VirtualClock() });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    // Window [0, 500): A's 0..400 (sum 1000) and B's 0; it fires when the watermark reaches
    // 499: at 600 (A's 599) with B idle, else at 2000 (B ends; A's 999). Window [500, 1000):
    // A's 500..900 = 3500, fires when the watermark reaches 999: at 1000 (A's periodic watermark
    // at 1000, max 1000 - 1) with B idle, else also at 2000. [1000, 1500): 1000, at A's end (3000).
    assert.deepEqual(
      r.collected.get('out'),
      idleness
        ? ['sum=1000 ts=499 pt=600', 'sum=3500 ts=999 pt=1000', 'sum=1000 ts=1499 pt=3000']
        : ['sum=1000 ts=499 pt=2000', 'sum=3500 ts=999 pt=2000', 'sum=1000 ts=1499 pt=3000'],
    );
  });
}
