import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideTrigger } from './trigger-rules.ts';
import type { TriggerFacts } from './trigger-rules.ts';

const base: TriggerFacts = { now: 10_000, intervalMs: 1000, minPauseMs: 0, maxConcurrent: 1, pending: 0, lastTriggeredAt: undefined, lastEndedAt: undefined, runningSince: 9_000 };

test('the first checkpoint comes one interval after every task runs', () => {
  assert.deepEqual(decideTrigger({ ...base, now: 9_999 }), { trigger: false, reason: 'the interval has not passed', checkAgainAt: 10_000 });
  assert.deepEqual(decideTrigger(base), { trigger: true });
  assert.deepEqual(decideTrigger({ ...base, runningSince: undefined }), { trigger: false, reason: 'not every task is running', checkAgainAt: undefined });
});

test('then every interval, never more than max-concurrent at once', () => {
  assert.deepEqual(decideTrigger({ ...base, now: 10_500, lastTriggeredAt: 10_000 }), { trigger: false, reason: 'the interval has not passed', checkAgainAt: 11_000 });
  assert.deepEqual(decideTrigger({ ...base, now: 11_000, lastTriggeredAt: 10_000, pending: 1 }), { trigger: false, reason: '1 checkpoint(s) in progress, the most allowed at once', checkAgainAt: undefined });
  assert.deepEqual(decideTrigger({ ...base, now: 11_000, lastTriggeredAt: 10_000, pending: 1, maxConcurrent: 2 }), { trigger: true });
});

test('the minimum pause counts from the end of the last checkpoint', () => {
  const slow = { ...base, minPauseMs: 800, lastTriggeredAt: 10_000, lastEndedAt: 10_900 };
  assert.deepEqual(decideTrigger({ ...slow, now: 11_000 }), { trigger: false, reason: 'the minimum pause after the last checkpoint has not passed', checkAgainAt: 11_700 });
  assert.deepEqual(decideTrigger({ ...slow, now: 11_700 }), { trigger: true });
});
