import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend.ts';
import { KeyGroupRange } from '../state/key-group.ts';
import { VirtualClock } from './clock.ts';
import { InternalTimerService } from './internal-timer-service.ts';
import type { Timer } from './internal-timer-service.ts';
import { ProcessingTimeService } from './processing-time-service.ts';

function service(onFire: (t: Timer, s: InternalTimerService) => void = () => {}) {
  const clock = new VirtualClock(0);
  const backend = new HeapKeyedStateBackend({ clock, maxParallelism: 128, keyGroupRange: new KeyGroupRange(0, 127) });
  const fired: string[] = [];
  const timers: InternalTimerService = new InternalTimerService('user-timers', backend, new ProcessingTimeService(clock), {
    onEventTime: (t) => {
      fired.push(`${String(t.key.key)}/${t.namespace}@${t.time}`);
      onFire(t, timers);
    },
    onProcessingTime: () => {},
  });
  const register = (key: string, time: number, ns = 'w') => {
    backend.setCurrentKey(key);
    timers.registerEventTimeTimer(ns, time);
  };
  const remove = (key: string, time: number, ns = 'w') => {
    backend.setCurrentKey(key);
    timers.deleteEventTimeTimer(ns, time);
  };
  return { timers, fired, register, remove, backend };
}

test('many keys registering one time over and over: one timer per (key, namespace, time), in registration order', () => {
  const s = service();
  for (let round = 0; round < 3; round++) for (const k of ['a', 'b', 'c']) s.register(k, 100);
  s.register('b', 100, 'other');
  s.register('a', 50);
  assert.equal(s.timers.numEventTimeTimers(), 5);
  s.timers.advanceWatermark(100);
  assert.deepEqual(s.fired, ['a/w@50', 'a/w@100', 'b/w@100', 'c/w@100', 'b/other@100']);
  assert.equal(s.timers.numEventTimeTimers(), 0);
});

test('a time registered again after its timers fired gets a new timer, which fires at the next watermark', () => {
  const s = service();
  s.register('a', 100);
  s.timers.advanceWatermark(100);
  s.register('a', 100); // the same (key, time) as the fired timer: a new timer
  s.register('b', 100);
  assert.equal(s.timers.numEventTimeTimers(), 2);
  s.timers.advanceWatermark(101);
  assert.deepEqual(s.fired, ['a/w@100', 'a/w@100', 'b/w@100']);
});

test('timers registered at the firing time while it fires run in the same watermark; a deleted timer can be set again', () => {
  const s = service((t, timers) => {
    if (t.key.key === 'a') {
      s.backend.setCurrentKey('late');
      timers.registerEventTimeTimer('w', 100); // same time as the one firing
    }
  });
  s.register('a', 100);
  s.register('b', 100);
  s.register('x', 200);
  s.remove('x', 200);
  s.register('x', 200);
  s.register('y', 200);
  s.remove('y', 200);
  s.timers.advanceWatermark(150);
  assert.deepEqual(s.fired, ['a/w@100', 'b/w@100', 'late/w@100']);
  s.timers.advanceWatermark(200);
  assert.deepEqual(s.fired.slice(3), ['x/w@200']);
  assert.equal(s.timers.numEventTimeTimers(), 0);
});
