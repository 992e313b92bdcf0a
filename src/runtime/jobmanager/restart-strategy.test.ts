import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_HISTORY, decideRestart, parseRestartStrategy } from './restart-strategy.ts';
import type { RestartDecision, RestartHistory, RestartStrategyConfig } from './restart-strategy.ts';

const cfg = (entries: Record<string, string>) => parseRestartStrategy(new Map(Object.entries(entries)));

/** Feeds failures at the given times; returns each decision's delay, or 'stop'. */
function replay(strategy: RestartStrategyConfig, times: number[], random = () => 0.5): (number | 'stop')[] {
  let history: RestartHistory = EMPTY_HISTORY;
  return times.map((t) => {
    const d: RestartDecision = decideRestart(strategy, history, t, random);
    history = d.history;
    return d.restart ? d.delayMs : 'stop';
  });
}

test('Flink defaults for every strategy', () => {
  assert.deepEqual(cfg({}), { type: 'none' });
  assert.deepEqual(cfg({ 'restart-strategy.type': 'fixed-delay' }), { type: 'fixed-delay', attempts: 1, delayMs: 1000 });
  assert.deepEqual(cfg({ 'restart-strategy.type': 'failure-rate' }), { type: 'failure-rate', maxFailuresPerInterval: 1, intervalMs: 60_000, delayMs: 1000 });
  assert.deepEqual(cfg({ 'restart-strategy.type': 'exponential-delay' }), {
    type: 'exponential-delay', initialBackoffMs: 1000, maxBackoffMs: 60_000, multiplier: 1.5, resetBackoffThresholdMs: 3_600_000, jitterFactor: 0.1, attempts: Infinity,
  });
});

test('without a type, a job with checkpointing restarts with exponential delay, as in Flink', () => {
  assert.equal(cfg({ 'execution.checkpointing.interval': '10s' }).type, 'exponential-delay');
  assert.equal(cfg({ 'execution.checkpointing.interval': '10s', 'restart-strategy.type': 'none' }).type, 'none');
});

test('none never restarts', () => {
  assert.deepEqual(replay(cfg({ 'restart-strategy.type': 'none' }), [0]), ['stop']);
});

test('fixed-delay restarts `attempts` times with the delay, then fails the job', () => {
  const s = cfg({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '3', 'restart-strategy.fixed-delay.delay': '10 s' });
  assert.deepEqual(replay(s, [0, 100, 200, 300]), [10_000, 10_000, 10_000, 'stop']);
  const d = decideRestart(s, { failureTimes: [0, 1, 2], attempts: 3, backoffMs: 0 }, 5);
  assert.equal(d.restart, false);
  assert.equal(!d.restart && d.reason, 'fixed-delay restart strategy exhausted its 3 attempt(s)');
});

test('failure-rate fails the job when more than the maximum failures fall in the interval', () => {
  const s = cfg({ 'restart-strategy.type': 'failure-rate', 'restart-strategy.failure-rate.max-failures-per-interval': '2', 'restart-strategy.failure-rate.failure-rate-interval': '1 min', 'restart-strategy.failure-rate.delay': '500ms' });
  // 0 and 30s: two in the minute, fine. 70s: the one at 0 has left the window ([10s, 70s] holds 30s, 70s). 80s: three in (20s, 80s].
  assert.deepEqual(replay(s, [0, 30_000, 70_000, 80_000]), [500, 500, 500, 'stop']);
});

test('exponential-delay grows by the multiplier up to the maximum, and resets after a quiet period', () => {
  const s = cfg({
    'restart-strategy.type': 'exponential-delay',
    'restart-strategy.exponential-delay.initial-backoff': '1s',
    'restart-strategy.exponential-delay.max-backoff': '5s',
    'restart-strategy.exponential-delay.backoff-multiplier': '2',
    'restart-strategy.exponential-delay.reset-backoff-threshold': '1 min',
    'restart-strategy.exponential-delay.jitter-factor': '0',
  });
  // 1s, 2s, 4s, then capped at 5s; a failure 2 minutes later starts again at 1s.
  assert.deepEqual(replay(s, [0, 10_000, 20_000, 30_000, 40_000, 160_000]), [1000, 2000, 4000, 5000, 5000, 1000]);
});

test('exponential-delay jitter stays within the factor and never exceeds the maximum', () => {
  const s = cfg({ 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.jitter-factor': '0.1' });
  assert.deepEqual(replay(s, [0], () => 0), [900]); // 1000 - 10%
  assert.deepEqual(replay(s, [0], () => 0.999999), [1100]); // 1000 + 10%
  const capped = cfg({ 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.initial-backoff': '60s' });
  assert.deepEqual(replay(capped, [0], () => 0.999999), [60_000]);
});

test('exponential-delay attempts-before-reset-backoff bounds restarts between resets', () => {
  const s = cfg({ 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.attempts-before-reset-backoff': '2', 'restart-strategy.exponential-delay.jitter-factor': '0' });
  assert.deepEqual(replay(s, [0, 1000, 2000]), [1000, 1500, 'stop']);
});

test('bad configuration says which key is wrong and what it takes', () => {
  assert.throws(() => cfg({ 'restart-strategy.type': 'sometimes' }), { code: 'INVALID_CONFIGURATION', message: /restart-strategy.type: "sometimes" is not one of none, fixed-delay, exponential-delay, failure-rate/ });
  assert.throws(() => cfg({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '-1' }), { message: /attempts: "-1" is not a whole number >= 0/ });
  assert.throws(() => cfg({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.delay': 'soon' }), { message: /delay: "soon" is not a duration/ });
  assert.throws(() => cfg({ 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.max-backoff': '1ms' }), { message: /must not be below initial-backoff/ });
});
