import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REGISTRATION, registrationDelayMs } from './jobmanager-connection.ts';

test('registration backs off from 500ms, doubling to 10s, within Flink\'s default timeout of 5 min', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map((n) => registrationDelayMs(DEFAULT_REGISTRATION, n)), [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  assert.equal(DEFAULT_REGISTRATION.timeoutMs, 300_000);
});
