import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointBarrier, CheckpointingMode } from '../stream-element.ts';
import { BarrierAlignment } from './barrier-alignment.ts';

const barrier = (checkpointId: number, mode: CheckpointingMode = 'EXACTLY_ONCE'): CheckpointBarrier => ({ kind: 'barrier', checkpointId, timestamp: 0, mode, savepoint: false });

test('exactly-once: each channel that delivered the barrier is blocked until all have; then the task snapshots', () => {
  const a = new BarrierAlignment(3);
  assert.deepEqual(a.onBarrier(1, barrier(1)), { kind: 'wait' });
  assert.deepEqual([a.isBlocked(0), a.isBlocked(1), a.isBlocked(2)], [false, true, false]);
  assert.equal(a.pending, 1);
  assert.deepEqual(a.onBarrier(1, barrier(1)), { kind: 'wait' }); // a channel cannot deliver twice; harmless
  assert.deepEqual(a.onBarrier(0, barrier(1)), { kind: 'wait' });
  assert.deepEqual([a.isBlocked(0), a.isBlocked(1), a.isBlocked(2)], [true, true, false]);
  assert.deepEqual(a.onBarrier(2, barrier(1)), { kind: 'complete', barrier: barrier(1) });
  assert.deepEqual([a.isBlocked(0), a.isBlocked(1), a.isBlocked(2)], [false, false, false]);
  assert.equal(a.pending, undefined);
});

test('at-least-once: nothing is blocked; the snapshot comes with the last barrier', () => {
  const a = new BarrierAlignment(2);
  assert.deepEqual(a.onBarrier(0, barrier(4, 'AT_LEAST_ONCE')), { kind: 'wait' });
  assert.equal(a.isBlocked(0), false);
  assert.deepEqual(a.onBarrier(1, barrier(4, 'AT_LEAST_ONCE')), { kind: 'complete', barrier: barrier(4, 'AT_LEAST_ONCE') });
});

test('an ended channel counts as aligned, before or during an alignment', () => {
  const a = new BarrierAlignment(3);
  assert.deepEqual(a.onEnded(2), { kind: 'wait' });
  assert.deepEqual(a.onBarrier(0, barrier(1)), { kind: 'wait' });
  assert.deepEqual(a.onEnded(1), { kind: 'complete', barrier: barrier(1) });
  assert.deepEqual(a.onBarrier(0, barrier(2)), { kind: 'complete', barrier: barrier(2) });
});

test('a newer barrier aborts the alignment in progress; stale barriers are ignored', () => {
  const a = new BarrierAlignment(2);
  a.onBarrier(0, barrier(5));
  assert.deepEqual(a.onBarrier(0, barrier(6)), { kind: 'abort', abortedId: 5, then: { kind: 'wait' } });
  assert.equal(a.pending, 6);
  assert.deepEqual(a.onBarrier(1, barrier(5)), { kind: 'wait' }); // the aborted checkpoint's late barrier
  assert.equal(a.isBlocked(1), false);
  assert.deepEqual(a.onBarrier(1, barrier(6)), { kind: 'complete', barrier: barrier(6) });
  assert.deepEqual(a.onBarrier(0, barrier(6)), { kind: 'wait' }); // already done
});
