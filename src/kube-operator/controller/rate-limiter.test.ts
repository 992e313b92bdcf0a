import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.ts';
import { defaultControllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter } from './rate-limiter.ts';

describe('rate limiters', () => {
  it('backs off per key exponentially up to the cap, and forget resets one key', () => {
    const l = new ItemExponentialRateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 100 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => l.when('a')), [5, 10, 20, 40, 80, 100]);
    assert.equal(l.when('b'), 5);
    assert.equal(l.numRequeues('a'), 6);
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
    assert.equal(l.when('a'), 5);
    assert.equal(l.when('b'), 10);
  });

  it('has client-go defaults: 5ms doubling to 1000s', () => {
    const l = new ItemExponentialRateLimiter<string>();
    assert.equal(l.when('k'), 5);
    for (let i = 0; i < 60; i++) l.when('k');
    assert.equal(l.when('k'), 1_000_000);
  });

  it('token bucket: a burst is free, then one token per 1/qps, refilled as time passes', () => {
    const clock = new ManualClock(1000);
    const l = new TokenBucketRateLimiter<string>(clock, { qps: 10, burst: 2 });
    assert.deepEqual([l.when('a'), l.when('b'), l.when('c'), l.when('d')], [0, 0, 100, 200]);
    clock.advance(1000); // repays the debt of 2 and refills to the burst of 2
    assert.deepEqual([l.when('a'), l.when('a'), l.when('a')], [0, 0, 100]);
  });

  it('max-of takes the longest delay and forgets in all', () => {
    const clock = new ManualClock();
    const l = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter({ baseDelayMs: 1 }), new TokenBucketRateLimiter(clock, { qps: 1, burst: 1 }));
    assert.equal(l.when('a'), 1); // bucket had a token; per-key says 1ms
    assert.equal(l.when('a'), 1000); // bucket empty: 1s beats 2ms
    assert.equal(l.numRequeues('a'), 2);
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
    const d = defaultControllerRateLimiter<string>(clock);
    assert.equal(d.when('x'), 5);
  });
});
