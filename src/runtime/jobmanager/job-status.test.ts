import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, isGloballyTerminal, isTerminal, nextStatus } from './job-status.ts';

test("a job's normal life: initializing, created, running, finished", () => {
  assert.equal(nextStatus('INITIALIZING', 'CREATED'), 'CREATED');
  assert.equal(nextStatus('CREATED', 'RUNNING'), 'RUNNING');
  assert.equal(nextStatus('RUNNING', 'FINISHED'), 'FINISHED');
  assert.equal(isGloballyTerminal('FINISHED'), true);
});

test('failures go through FAILING to RESTARTING or FAILED; cancellation through CANCELLING', () => {
  assert.ok(canTransition('RUNNING', 'FAILING'));
  assert.ok(canTransition('FAILING', 'RESTARTING'));
  assert.ok(canTransition('RESTARTING', 'RUNNING'));
  assert.ok(canTransition('FAILING', 'FAILED'));
  assert.ok(canTransition('RESTARTING', 'CANCELLING'));
  assert.ok(canTransition('CANCELLING', 'CANCELED'));
  assert.equal(canTransition('RUNNING', 'CANCELED'), false);
  assert.equal(canTransition('RUNNING', 'FAILED'), false);
});

test('terminal states have no way out; SUSPENDED is terminal only locally', () => {
  for (const s of ['FAILED', 'CANCELED', 'FINISHED'] as const) {
    assert.equal(isTerminal(s), true);
    assert.equal(isGloballyTerminal(s), true);
    assert.equal(canTransition(s, 'RUNNING'), false);
  }
  assert.equal(isTerminal('SUSPENDED'), true);
  assert.equal(isGloballyTerminal('SUSPENDED'), false);
  assert.throws(() => nextStatus('FINISHED', 'RUNNING'), { code: 'ILLEGAL_JOB_STATUS_TRANSITION', message: 'a job cannot go from FINISHED to RUNNING' });
});
