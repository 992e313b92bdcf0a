import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoscalerPass } from './autoscaler-pass.ts';
import { SampleStore } from './sample-store.ts';
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';
import type { SourceLag } from './source-lag.ts';

const T0 = Date.UTC(2026, 11, 3, 12);
const spec = { enabled: true, metricsOnly: true, metricsWindow: '10m', stabilizationInterval: '5m', targetUtilization: 0.5, targetUtilizationBoundary: 0.2, restartTimeTracking: false, restartTime: '0s' };

function collected(at: number, busy: number, latest: number): [ObservedVertex[], Map<string, SourceLag>] {
  const v: ObservedVertex = { id: 'src', name: 'Source: orders', parallelism: 2, maxParallelism: 128, keyed: false, inputs: [], sample: { at, recordsInPerSecond: 1000, recordsOutPerSecond: 1000, busyTimeMsPerSecond: busy, backPressuredTimeMsPerSecond: 0 } };
  const lag: SourceLag = { at, measure: 'committed-offsets', totalLag: 0, partitionCount: 8, partitions: [{ topic: 'orders', partition: 0, earliest: 0, latest, committed: latest, lag: 0 }], latestOffsets: latest };
  return [[v], new Map([['src', lag]])];
}

test('metrics-only: samples from the store, a decision reported in status and an Event, never acted on', () => {
  const store = new SampleStore();
  store.add('prod/orders', ...collected(T0, 1000, 0), 600_000);
  const vertices = store.add('prod/orders', ...collected(T0 + 60_000, 1000, 60_000), 600_000);
  assert.deepEqual(vertices[0]!.samples.map((s) => s.latestOffsets), [0, 60_000]);
  assert.equal(vertices[0]!.partitions, 8);
  const pass = autoscalerPass({ spec, status: undefined, vertices, now: T0 + 60_000 })!;
  // 1000/s arrive; 500/s per subtask fully busy -> 1000 / 250 = 4.
  assert.deepEqual([pass.act, pass.decision.parallelism], [false, { src: 4 }]);
  assert.equal(pass.status.vertices![0]!.recommended, 4);
  assert.equal(pass.event?.reason, 'ScalingReport');
  assert.equal(pass.status.lastRescaleTime, undefined);
  // Acting: the rescale is recorded, and stabilization follows.
  const acting = autoscalerPass({ spec: { ...spec, metricsOnly: false }, status: undefined, vertices, now: T0 + 60_000 })!;
  assert.deepEqual([acting.act, acting.status.lastRescaleTime], [true, '2026-12-03T12:01:00.000Z']);
});

test('a user\'s spec change restarts stabilization; a disabled autoscaler does nothing', () => {
  const store = new SampleStore();
  store.add('k', ...collected(T0, 1000, 0), 600_000);
  const vertices = store.add('k', ...collected(T0 + 60_000, 1000, 60_000), 600_000);
  const pass = autoscalerPass({ spec, status: undefined, vertices, now: T0 + 60_000, specChangedAt: T0 + 30_000 })!;
  assert.deepEqual([pass.decision.vertices[0]!.reason, pass.status.lastSpecChangeTime], ['Stabilizing', '2026-12-03T12:00:30.000Z']);
  assert.equal(autoscalerPass({ spec: { enabled: false }, status: undefined, vertices, now: T0 }), undefined);
  assert.equal(autoscalerPass({ spec: undefined, status: undefined, vertices, now: T0 }), undefined);
});

test('the store keeps the metrics window and forgets vertices that left the graph', () => {
  const store = new SampleStore();
  store.add('k', ...collected(T0, 500, 0), 60_000);
  store.add('k', ...collected(T0 + 30_000, 500, 0), 60_000);
  const kept = store.add('k', ...collected(T0 + 90_000, 500, 0), 60_000);
  assert.deepEqual(kept[0]!.samples.map((s) => s.at), [T0 + 30_000, T0 + 90_000]);
  assert.deepEqual(store.add('k', [], new Map(), 60_000), []);
  assert.equal(store.add('k', ...collected(T0 + 120_000, 500, 0), 60_000)[0]!.samples.length, 1);
});
