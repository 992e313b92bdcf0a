import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_AUTOSCALER_CONFIG } from './autoscaler-config.ts';
import type { AutoscalerConfig } from './autoscaler-config.ts';
import { decideScaling } from './decide-scaling.ts';
import type { ScalingHistory, VertexObservation, VertexSample } from './scaling-inputs.ts';

const NOW = Date.UTC(2026, 11, 3, 12);
const S = 1000;
/** Round figures: utilization 0.5 +/- 0.2, lag drains in 1000 s, restarts are free, no caps, no delay. */
const CONFIG: AutoscalerConfig = {
  ...DEFAULT_AUTOSCALER_CONFIG,
  enabled: true,
  targetUtilization: 0.5,
  targetUtilizationBoundary: 0.2,
  catchUpDurationMs: 1000 * S,
  restartTimeMs: 0,
  metricsWindowMs: 600 * S,
  stabilizationIntervalMs: 300 * S,
  scaleDownDelayMs: 0,
  scaleUpMaxFactor: 100_000,
  scaleDownMaxFactor: 1,
};
const NO_HISTORY: ScalingHistory = { restartTimesMs: [], pendingScaleDowns: {} };

interface Load {
  in: number;
  busy: number;
  out?: number;
  /** Lag at the window's start and end (linear between). */
  lag?: [number, number];
}

/** Samples every 60 s over [now - span, now] with constant rates. */
function samples(load: Load, now = NOW, spanS = 600): VertexSample[] {
  const out: VertexSample[] = [];
  for (let t = now - spanS * S; t <= now; t += 60 * S) {
    const f = (t - (now - spanS * S)) / (spanS * S);
    const lag = load.lag === undefined ? undefined : load.lag[0] + f * (load.lag[1] - load.lag[0]);
    out.push({ at: t, recordsInPerSecond: load.in, recordsOutPerSecond: load.out ?? load.in, busyTimeMsPerSecond: load.busy, backPressuredTimeMsPerSecond: 0, ...(lag === undefined ? {} : { lag }) });
  }
  return out;
}

function source(parallelism: number, load: Load, extra: Partial<VertexObservation> = {}): VertexObservation {
  return { id: 'src', name: 'Source: orders', parallelism, maxParallelism: 128, keyed: false, inputs: [], samples: samples(load), ...extra };
}

function keyed(parallelism: number, load: Load, extra: Partial<VertexObservation> = {}): VertexObservation {
  return { id: 'agg', name: 'KeyedProcess', parallelism, maxParallelism: 128, keyed: true, inputs: ['src'], samples: samples(load), ...extra };
}

const decide = (vertices: VertexObservation[], config: Partial<AutoscalerConfig> = {}, history: Partial<ScalingHistory> = {}, now = NOW) =>
  decideScaling({ config: { ...CONFIG, ...config }, now, vertices, history: { ...NO_HISTORY, ...history } });

const of = (d: ReturnType<typeof decideScaling>, id: string) => d.vertices.find((v) => v.vertexId === id)!;

test('true rate is input rate over busy fraction; parallelism is target over true rate x target utilization', () => {
  // 1000/s on 2 subtasks 90% busy: 555.6/s each; utilization 0.9; 1000 / (555.6 x 0.5) = 3.6 -> 4.
  const d = decide([source(2, { in: 1000, busy: 900 })]);
  const v = of(d, 'src');
  assert.equal(v.trueRatePerSubtask!.toFixed(2), '555.56');
  assert.equal(v.utilization!.toFixed(2), '0.90');
  assert.deepEqual([v.recommended, v.direction, v.reason], [4, 'up', 'ScaleUp']);
  assert.equal(d.rescale, true);
});

test('inside the utilization boundary nothing changes (dead band), at both of its edges', () => {
  assert.deepEqual(pick(decide([source(2, { in: 1000, busy: 700 })]), 'src'), [2, 'WithinBoundary']);
  assert.deepEqual(pick(decide([source(2, { in: 1000, busy: 300 })]), 'src'), [2, 'WithinBoundary']);
  assert.equal(decide([source(2, { in: 1000, busy: 700 })]).rescale, false);
});

test('lag to drain within catchUpDuration adds to the target rate', () => {
  // true 1000/s per subtask; lag 500k over 1000 s adds 500/s: target 1500, utilization 0.75 -> 1500 / 500 = 3.
  const v = of(decide([source(2, { in: 1000, busy: 500, lag: [500_000, 500_000] })]), 'src');
  assert.equal(v.targetRate, 1500);
  assert.deepEqual([v.recommended, v.reason], [3, 'ScaleUp']);
});

test('a source\'s input rate includes how fast its lag grows', () => {
  // Reading 1000/s fully busy on 2 (500/s each); lag grows 0 -> 300k in 600 s: 500/s more arrive.
  // Target = 1500 + 300k / 1000 s = 1800; 1800 / (500 x 0.5) = 7.2 -> 8.
  const v = of(decide([source(2, { in: 1000, busy: 1000, lag: [0, 300_000] })]), 'src');
  assert.equal(v.inputRate, 1500);
  assert.equal(v.targetRate, 1800);
  assert.equal(v.recommended, 8);
});

test('the backlog a restart adds is planned for: configured, or the longest recent observed restart', () => {
  // 1000/s fully busy on 2: 500/s each, 4 needed without restart cost.
  const load = { in: 1000, busy: 1000 };
  assert.equal(of(decide([source(2, load)]), 'src').recommended, 4);
  // 250 s of restart at 1000/s is 250k records to drain within 1000 s: +250/s -> 1250 / 250 = 5.
  assert.equal(of(decide([source(2, load)], { restartTimeMs: 250 * S }), 'src').recommended, 5);
  // Tracking: the longest of the last five observed restarts (500 s): +500/s -> 6.
  const tracked = decide([source(2, load)], { restartTimeMs: 250 * S, restartTimeTracking: true }, { restartTimesMs: [100 * S, 500 * S, 250 * S] });
  assert.equal(tracked.restartTimeMs, 500 * S);
  assert.equal(of(tracked, 'src').recommended, 6);
  // A sixth, older one no longer counts: 100 s -> +100/s -> 1100 / 250 = 4.4 -> 5.
  const older = decide([source(2, load)], { restartTimeTracking: true }, { restartTimesMs: [900 * S, 100 * S, 100 * S, 100 * S, 100 * S, 100 * S] });
  assert.equal(of(older, 'src').recommended, 5);
});

test('a keyed vertex is aligned to key groups: 20 needed of 128 gives 22, 16 gives 16', () => {
  const src = source(1, { in: 1000, busy: 500 });
  // 1000/s on 10 fully busy: 100/s each; 1000 / 50 = 20 -> at most 6 key groups each -> 22.
  assert.equal(of(decide([src, keyed(10, { in: 1000, busy: 1000 })]), 'agg').recommended, 22);
  // 2000/s on 10 at 80% busy: 250 each; 2000 / 125 = 16, a divisor of 128.
  assert.equal(of(decide([source(1, { in: 2000, busy: 500 }), keyed(10, { in: 2000, busy: 800 })]), 'agg').recommended, 16);
});

test('a vertex downstream of a lagging source is sized for what will reach it', () => {
  // The source emits 2 records per record read; lag adds 500/s read -> 1000/s more reach the keyed vertex.
  const src = source(2, { in: 1000, out: 2000, busy: 500, lag: [500_000, 500_000] });
  const v = of(decide([src, keyed(4, { in: 2000, busy: 1000 })]), 'agg');
  // Target 3000/s; 500/s per subtask; 3000 / 250 = 12 -> at most 10 key groups each -> 13.
  assert.equal(v.targetRate, 3000);
  assert.equal(v.recommended, 13);
});

test('a source never exceeds its partitions, and aligns to them', () => {
  // Needs 8 (1000/s, 250/s each), has 6 partitions.
  assert.deepEqual(pick(decide([source(4, { in: 1000, busy: 1000 }, { partitions: 6 })]), 'src'), [6, 'ScaleUp']);
  assert.deepEqual(pick(decide([source(6, { in: 1000, busy: 1000 }, { partitions: 6 })]), 'src'), [6, 'AtLimit']);
  // Needs 5.1 (1000/s on 3 at 85% busy) of 12 partitions: at most 2 each -> 6.
  assert.equal(of(decide([source(3, { in: 1000, busy: 850 }, { partitions: 12 })]), 'src').recommended, 6);
});

test('min and max parallelism bound the recommendation', () => {
  assert.equal(of(decide([source(2, { in: 1000, busy: 1000 })], { maxParallelism: 3 }), 'src').recommended, 3);
  // Idle: nothing to process -> the minimum.
  assert.deepEqual(pick(decide([source(4, { in: 0, busy: 0 })], { minParallelism: 2 }), 'src'), [2, 'ScaleDown']);
});

test('scaleUpMaxFactor and scaleDownMaxFactor cap a step', () => {
  // Needs 8 from 2; at most 2 x (1 + 1) = 4.
  assert.equal(of(decide([source(2, { in: 1000, busy: 1000, lag: [0, 300_000] })], { scaleUpMaxFactor: 1 }), 'src').recommended, 4);
  // Needs 2 from 10 (10% busy); at least 10 x (1 - 0.6) = 4.
  assert.equal(of(decide([source(10, { in: 1000, busy: 100 })], { scaleDownMaxFactor: 0.6 }), 'src').recommended, 4);
});

test('no scale-down while a source catches up', () => {
  // Lag 150k is more than 10% of 1000 s of the source's 1000/s: catching up.
  const src = source(2, { in: 1000, busy: 500, lag: [150_000, 150_000] });
  const d = decide([src, keyed(20, { in: 1000, busy: 50 })]);
  assert.deepEqual(pick(d, 'agg'), [20, 'CatchingUp']);
  // Without the lag the same vertex scales down: 1000/s, 1000/s per subtask -> 2.
  assert.deepEqual(pick(decide([source(2, { in: 1000, busy: 500 }), keyed(20, { in: 1000, busy: 50 })]), 'agg'), [2, 'ScaleDown']);
});

test('stabilization: no decision right after a rescale or a spec change, and no samples from before it ended', () => {
  const overloaded = source(2, { in: 1000, busy: 1000 });
  assert.deepEqual(pick(decide([overloaded], {}, { lastRescaleAt: NOW - 100 * S }), 'src'), [2, 'Stabilizing']);
  const afterSpec = decide([overloaded], {}, { lastRescaleAt: NOW - 3600 * S, lastSpecChangeAt: NOW - 60 * S });
  assert.deepEqual(pick(afterSpec, 'src'), [2, 'Stabilizing']);
  assert.match(of(afterSpec, 'src').message, /a change of the spec/);
  // Rescaled 400 s ago, settled 100 s ago: the overloaded samples before that are not used.
  const mixed = [...samples({ in: 1000, busy: 1000 }, NOW - 120 * S, 480), ...samples({ in: 1000, busy: 500 }, NOW, 60)];
  assert.deepEqual(pick(decide([source(2, { in: 0, busy: 0 }, { samples: mixed })], {}, { lastRescaleAt: NOW - 400 * S }), 'src'), [2, 'WithinBoundary']);
});

test('a scale-up needs two samples; a scale-down a full metrics window', () => {
  assert.deepEqual(pick(decide([source(2, { in: 1000, busy: 1000 }, { samples: samples({ in: 1000, busy: 1000 }).slice(-1) })]), 'src'), [2, 'CollectingMetrics']);
  assert.deepEqual(pick(decide([source(2, { in: 1000, busy: 1000 }, { samples: samples({ in: 1000, busy: 1000 }, NOW, 120) })]), 'src'), [4, 'ScaleUp']);
  assert.deepEqual(pick(decide([source(10, { in: 1000, busy: 100 }, { samples: samples({ in: 1000, busy: 100 }, NOW, 120) })]), 'src'), [10, 'CollectingMetrics']);
});

test('scale-down delay: acts once the lower recommendation held that long, to the highest made on metrics from within it', () => {
  const config = { scaleDownDelayMs: 1800 * S };
  // 1000/s on 10: utilization = busy; needs 20 x busy subtasks.
  const at = (t: number, busy: number, pendingScaleDowns: ScalingHistory['pendingScaleDowns']) =>
    decide([source(10, { in: 1000, busy }, { samples: samples({ in: 1000, busy }, t) })], config, { pendingScaleDowns }, t);
  const first = at(NOW, 200, {});
  assert.deepEqual(pick(first, 'src'), [10, 'ScaleDownDelayed']);
  // Its window still averages what came before the delay: it does not count as the highest.
  assert.deepEqual(first.pendingScaleDowns, { src: { since: NOW, highest: 0 } });
  assert.deepEqual(at(NOW + 300 * S, 280, first.pendingScaleDowns).pendingScaleDowns, { src: { since: NOW, highest: 0 } });
  const second = at(NOW + 900 * S, 280, first.pendingScaleDowns);
  assert.deepEqual(second.pendingScaleDowns, { src: { since: NOW, highest: 6 } });
  const third = at(NOW + 1800 * S, 150, second.pendingScaleDowns);
  assert.deepEqual(pick(third, 'src'), [6, 'ScaleDown']);
  assert.deepEqual(third.pendingScaleDowns, {});
  // A recommendation within the band in between interrupts the wait.
  const interrupted = at(NOW + 900 * S, 500, first.pendingScaleDowns);
  assert.deepEqual(interrupted.pendingScaleDowns, {});
  assert.deepEqual(pick(at(NOW + 1800 * S, 150, interrupted.pendingScaleDowns), 'src'), [10, 'ScaleDownDelayed']);
});

test('a pending scale-down from before the last spec change or rescale is void: its delay starts over', () => {
  const config = { scaleDownDelayMs: 1800 * S };
  const underloaded = [source(10, { in: 1000, busy: 200 })];
  // Pending since an hour ago, past the delay, but the spec changed 20 min ago (settled 15 min ago).
  const history = { pendingScaleDowns: { src: { since: NOW - 3600 * S, highest: 4 } }, lastSpecChangeAt: NOW - 1200 * S };
  const d = decide(underloaded, config, history);
  assert.deepEqual(pick(d, 'src'), [10, 'ScaleDownDelayed']);
  assert.deepEqual(d.pendingScaleDowns, { src: { since: NOW, highest: 0 } });
  // Without the spec change the same history acts.
  assert.deepEqual(pick(decide(underloaded, config, { pendingScaleDowns: history.pendingScaleDowns }), 'src'), [4, 'ScaleDown']);
  // The same after a rescale.
  assert.deepEqual(pick(decide(underloaded, config, { pendingScaleDowns: history.pendingScaleDowns, lastRescaleAt: NOW - 1200 * S }), 'src'), [10, 'ScaleDownDelayed']);
});

test('a fixed number of TaskManagers caps every vertex at their slots, and the message says so', () => {
  // Needs 4 (see the first test's 1000/s on 2 fully busy), the TaskManagers hold 3.
  const capped = of(decideScaling({ config: CONFIG, now: NOW, vertices: [source(2, { in: 1000, busy: 1000 })], history: NO_HISTORY, slotLimit: 3 }), 'src');
  assert.deepEqual([capped.recommended, capped.reason], [3, 'ScaleUp']);
  assert.match(capped.message, /needs 4 subtasks, more than the 3 slots of the fixed TaskManagers \(spec\.taskManager\.replicas\) -> 3$/);
  const full = of(decideScaling({ config: CONFIG, now: NOW, vertices: [source(3, { in: 1000, busy: 1000 })], history: NO_HISTORY, slotLimit: 3 }), 'src');
  assert.deepEqual([full.recommended, full.reason], [3, 'AtLimit']);
  assert.match(full.message, /more than the 3 slots of the fixed TaskManagers/);
  // A bound below the slots names no slots.
  assert.doesNotMatch(of(decideScaling({ config: { ...CONFIG, maxParallelism: 2 }, now: NOW, vertices: [source(2, { in: 1000, busy: 1000 })], history: NO_HISTORY, slotLimit: 3 }), 'src').message, /slots/);
});

test('no busy time with input to process: the processing rate is unknown and nothing changes', () => {
  assert.deepEqual(pick(decide([source(2, { in: 0, busy: 0, lag: [1000, 1000] })]), 'src'), [2, 'NoBusyTime']);
});

function pick(d: ReturnType<typeof decideScaling>, id: string): [number, string] {
  const v = of(d, id);
  return [v.recommended, v.reason];
}

test('a source\'s arrival rate is the growth of its latest offsets when known, not the committed lag\'s jumps', () => {
  // Read 1000/s fully busy on 2; 1500/s arrive by the offsets, while the committed lag fell 600k at a checkpoint.
  const s = samples({ in: 1000, busy: 1000, lag: [900_000, 300_000] }).map((x, i) => ({ ...x, latestOffsets: i * 60 * 1500 }));
  const v = of(decide([source(2, { in: 0, busy: 0 }, { samples: s })]), 'src');
  // Target 1500 + 300k / 1000 s = 1800 -> 1800 / 250 = 7.2 -> 8.
  assert.deepEqual([v.inputRate, v.targetRate, v.recommended], [1500, 1800, 8]);
});

test('a rise between the newest two samples is acted on before it moves the window\'s average', () => {
  // 1000/s for ten minutes on 4 at 50%, then 3000/s arrive in the last minute: utilization 1.5 -> 3000 / 250 = 12.
  const s = samples({ in: 1000, busy: 500 }).map((x, i, all) => ({ ...x, latestOffsets: i * 60_000 + (i === all.length - 1 ? 120_000 : 0) }));
  const v = of(decide([source(4, { in: 0, busy: 0 }, { samples: s })]), 'src');
  assert.deepEqual([v.inputRate, v.recommended, v.reason], [3000, 12, 'ScaleUp']);
});

/** Samples every 60 s whose latest offsets grow by `rates[i]` records/s between sample i and i + 1. */
function arriving(rates: readonly number[], load: Load = { in: 1000, busy: 1000 }): VertexSample[] {
  let offsets = 0;
  return samples(load).map((x, i) => {
    if (i > 0) offsets += rates[i - 1]! * 60;
    return { ...x, latestOffsets: offsets };
  });
}

test('a scale-up on a rising ramp is sized for the input when the next decision can take effect', () => {
  // Arrival rises 2/s every second (1000, 1120, ... 2080/s a minute apart); 500/s per subtask on 2.
  const ramp = arriving(Array.from({ length: 10 }, (_, i) => 1000 + 120 * i));
  // Without the rise: 2080 / 250 = 8.32 -> 9. With it: + 2/s x 300 s of stabilization = 2680 / 250 = 10.72 -> 11.
  const v = of(decide([source(2, { in: 0, busy: 0 }, { samples: ramp })]), 'src');
  assert.deepEqual([v.inputRate, v.recommended, v.reason], [2080, 11, 'ScaleUp']);
  assert.match(v.message, /\+ 600 records\/s of rise until the next decision takes effect/);
  // The restart counts too: + 2/s x (300 + 200) s = 1000/s, and 2080 x 200 s of backlog over 1000 s = 416/s: 3496 / 250 = 13.98 -> 14.
  assert.equal(of(decide([source(2, { in: 0, busy: 0 }, { samples: ramp })], { restartTimeMs: 200 * S }), 'src').recommended, 14);
  // A keyed vertex behind the source gets the rise too: 10.72 needed, at most 11 of 128 key groups per subtask -> 12.
  assert.equal(of(decide([source(2, { in: 0, busy: 0 }, { samples: ramp }), keyed(2, { in: 1000, busy: 1000 })]), 'agg').recommended, 12);
});

test('no rise is planned for on flat noisy input, on a falling one, or for a scale-down', () => {
  // 1000/s +/- 20% alternating: the slope is 0.2/s per second, 0.5 standard errors: no trend. 1200 / 250 = 4.8 -> 5 (with it, 5.04 -> 6).
  const noisy = of(decide([source(2, { in: 0, busy: 0 }, { samples: arriving(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 800 : 1200))) })]), 'src');
  assert.deepEqual([noisy.inputRate, noisy.recommended], [1200, 5]);
  assert.doesNotMatch(noisy.message, /rise/);
  // Falling from 2080 to 1000/s: sized for the window's average, 1540 / 250 = 6.16 -> 7.
  const falling = of(decide([source(2, { in: 0, busy: 0 }, { samples: arriving(Array.from({ length: 10 }, (_, i) => 2080 - 120 * i)) })]), 'src');
  assert.deepEqual([falling.inputRate, falling.recommended], [1540, 7]);
  // The rising ramp on 40 subtasks 5% busy (10000/s each): 2080 / 5000 = 0.42 -> 1, not (2080 + 600) / 5000 = 0.54.
  const ramp = arriving(Array.from({ length: 10 }, (_, i) => 1000 + 120 * i), { in: 20_000, busy: 50 });
  const down = of(decide([source(40, { in: 0, busy: 0 }, { samples: ramp })]), 'src');
  assert.deepEqual([down.recommended, down.reason], [1, 'ScaleDown']);
  assert.doesNotMatch(down.message, /rise/);
});

test('a scale-down that frees no slot waits, ready, for a rescale that happens anyway', () => {
  // The source could go from 4 to 1, but the keyed vertex keeps 8 slots.
  const alone = decide([source(4, { in: 1000, busy: 50 }), keyed(8, { in: 1000, busy: 400 })]);
  assert.deepEqual(pick(alone, 'src'), [4, 'NoSlotFreed']);
  assert.equal(alone.rescale, false);
  // With the keyed vertex overloaded, both change in the same rescale.
  const together = decide([source(4, { in: 1000, busy: 50 }), keyed(8, { in: 1000, busy: 1000 })], {}, { pendingScaleDowns: alone.pendingScaleDowns });
  assert.deepEqual([pick(together, 'src'), pick(together, 'agg')], [[1, 'ScaleDown'], [16, 'ScaleUp']]);
});

test('a missing lag sample: the rates use the samples that have one, and a scale-down waits until one is read again', () => {
  // As 'a source's input rate includes how fast its lag grows', with the newest sample's lag not read.
  const growing = samples({ in: 1000, busy: 1000, lag: [0, 300_000] });
  const unread = growing.map((s, i) => (i === growing.length - 1 ? { ...s, lag: undefined } : s));
  // Growth 0 -> 270k over the 540 s to the last sample with a lag: still 500/s; lag 270k: 270/s to catch up.
  const v = of(decide([source(2, { in: 1000, busy: 1000 }, { samples: unread })]), 'src');
  assert.deepEqual([v.inputRate, v.targetRate, v.lag, v.recommended], [1500, 1770, 270_000, 8]);

  // A lag measured another way (pendingRecords after a failed committed-offsets read) is not compared with the committed one.
  const mixed = growing.map((s, i) => (i === growing.length - 1 ? { ...s, lag: 10_000, lagMeasure: 'pending-records' as const } : { ...s, lagMeasure: 'committed-offsets' as const }));
  const m = of(decide([source(2, { in: 1000, busy: 1000 }, { samples: mixed })]), 'src');
  assert.deepEqual([m.inputRate, m.lag], [1000, 10_000]);

  // Idle input: the keyed vertex would scale down, but not while the source's lag is unknown now.
  const quiet = samples({ in: 1000, busy: 500, lag: [0, 0] });
  const lagUnread = quiet.map((s, i) => (i === quiet.length - 1 ? { ...s, lag: undefined } : s));
  const held = of(decide([source(2, { in: 1000, busy: 500 }, { samples: lagUnread }), keyed(20, { in: 1000, busy: 50 })]), 'agg');
  assert.deepEqual([held.recommended, held.reason], [20, 'CollectingMetrics']);
  assert.match(held.message, /^no scale-down while the lag of Source: orders is unknown \(not read this time\); /);
  assert.deepEqual(pick(decide([source(2, { in: 1000, busy: 500 }, { samples: quiet }), keyed(20, { in: 1000, busy: 50 })]), 'agg'), [2, 'ScaleDown']);
});
