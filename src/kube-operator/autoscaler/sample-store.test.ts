import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleStore } from './sample-store.ts';
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';

const observed = (at: number): ObservedVertex => ({ id: 'v1', name: 'v1', parallelism: 1, maxParallelism: 128, keyed: false, inputs: [], sample: { at, recordsInPerSecond: at, recordsOutPerSecond: 0, busyTimeMsPerSecond: 0, backPressuredTimeMsPerSecond: 0 } });

test('samples are kept for the window, and the newest one, at or before it, so a full window can be seen in the operator\'s loop', () => {
  const store = new SampleStore();
  let kept: number[] = [];
  for (const at of [0, 1000, 2000, 3000, 4000, 5000, 6500, 7000]) kept = store.add('jobs/a', [observed(at)], new Map(), 3000)[0]!.samples.map((s) => s.at);
  assert.deepEqual(kept, [4000, 5000, 6500, 7000]);
  // A gap longer than the window keeps the last sample before it.
  assert.deepEqual(store.add('jobs/a', [observed(20_000)], new Map(), 3000)[0]!.samples.map((s) => s.at), [7000, 20_000]);
  store.forget('jobs/a');
  assert.deepEqual(store.add('jobs/a', [observed(21_000)], new Map(), 3000)[0]!.samples.map((s) => s.at), [21_000]);
});
