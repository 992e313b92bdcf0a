import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeSignal } from './wake-signal.ts';

/** 'woken' if `p` settles before the event loop turns once more, else 'asleep'. */
function settlesNow(p: Promise<void>): Promise<'woken' | 'asleep'> {
  return Promise.race([p.then(() => 'woken' as const), new Promise<'asleep'>((resolve) => setImmediate(() => resolve('asleep')))]);
}

test('a wake while the loop waits settles its wait', async () => {
  const s = new WakeSignal();
  const waiting = s.next();
  s.wake();
  assert.equal(await settlesNow(waiting), 'woken');
});

test('a wake that came while nobody waited is not lost: the next wait settles at once, once', async () => {
  const s = new WakeSignal();
  s.wake();
  s.wake();
  assert.equal(await settlesNow(s.next()), 'woken');
  // Both wakes were for the same pass: the wait after it sleeps until a new one.
  assert.equal(await settlesNow(s.next()), 'asleep');
});
