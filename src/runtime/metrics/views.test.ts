/** Flink's MeterView and TimerGauge arithmetic, and catch-up updates at their due times. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACK_PRESSURED, IDLE, READY, TaskTimes } from './task-times.ts';
import { MeterView, TimerView, ViewUpdater } from './views.ts';

test('MeterView: rate over the full 60s window, ramping up from zero like Flink', () => {
  let count = 0;
  const meter = new MeterView(() => count);
  // 100 events/s, one update every 5s.
  for (let i = 1; i <= 12; i++) {
    count += 500;
    meter.update();
    // Flink divides by the whole span even before it is full.
    assert.equal(meter.rate, (i * 500) / 60);
  }
  assert.equal(meter.rate, 100);
  count += 500;
  meter.update();
  assert.equal(meter.rate, 100);
  // The rate then drops to zero 60s after the events stop.
  for (let i = 0; i < 12; i++) meter.update();
  assert.equal(meter.rate, 0);
});

test('TimerView: ms per second averaged over the intervals so far, floored and clamped', () => {
  let total = 0;
  const view = new TimerView(() => total);
  total += 2500; // 2.5s of 5s
  view.update(5000);
  assert.equal(view.value, 500);
  total += 1000;
  view.update(10000);
  assert.equal(view.value, 350); // (2500 + 1000) / 10s
  total += 1;
  view.update(15000);
  assert.equal(view.value, 233); // 3501 / 15 = 233.4 -> 233
  total += 1_000_000;
  view.update(20000);
  assert.equal(view.value, 1000);
});

test('TimerView drops intervals older than the span', () => {
  let total = 0;
  const view = new TimerView(() => total, { intervalMs: 100, spanMs: 300 });
  total += 100;
  view.update(100);
  assert.equal(view.value, 1000);
  for (let t = 200; t <= 400; t += 100) view.update(t);
  assert.equal(view.value, 0);
});

test('TaskTimes: time between two state changes belongs to the earlier state, ongoing time counts', () => {
  const times = new TaskTimes(0);
  times.enter(READY, 10);
  times.enter(BACK_PRESSURED, 40);
  times.enter(BACK_PRESSURED, 50); // no change
  times.enter(IDLE, 100);
  assert.equal(times.accumulated(IDLE, 130), 10 + 30);
  assert.equal(times.accumulated(READY, 130), 30);
  assert.equal(times.accumulated(BACK_PRESSURED, 130), 60);
});

test('TaskTimes: busy time is the task\'s own work; overlapping periods (an async write outliving its step) count once', () => {
  const times = new TaskTimes(0);
  times.beginWork(10);
  times.endWork(14);
  assert.equal(times.busy(100), 4);
  // A step starts a write at 20 and ends at 25; the write ends at 60.
  times.beginWork(20);
  times.beginWork(25);
  times.endWork(25);
  assert.equal(times.busy(40), 4 + 20, 'the ongoing write counts up to the time asked for');
  times.endWork(60);
  assert.equal(times.busy(100), 4 + 40);
  times.endWork(70); // unmatched: ignored
  assert.equal(times.busy(100), 44);
});

test('ViewUpdater runs every update that came due, each with its due time', () => {
  let now = 0;
  const updater = new ViewUpdater(() => now, { intervalMs: 5000, spanMs: 60000 });
  const seen: number[] = [];
  updater.add({ update: (at) => seen.push(at) });
  now = 4999;
  updater.tick();
  assert.deepEqual(seen, []);
  now = 17000;
  updater.tick();
  assert.deepEqual(seen, [5000, 10000, 15000]);
  updater.tick();
  assert.equal(seen.length, 3);
  now = 20000;
  updater.stop();
  assert.deepEqual(seen, [5000, 10000, 15000, 20000]);
  now = 100000;
  updater.tick();
  assert.equal(seen.length, 4, 'a stopped updater keeps its last values');
});

test('view timing is validated', () => {
  assert.throws(() => new MeterView(() => 0, { intervalMs: 0, spanMs: 100 }), RangeError);
  assert.throws(() => new TimerView(() => 0, { intervalMs: 100, spanMs: 50 }), RangeError);
});
