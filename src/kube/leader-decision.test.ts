import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRecord, releasedRecord, sameRecord, timingProblem } from './leader-decision.ts';
import type { LeaderRecord } from './leader-lock.ts';

const held = (holder: string, overrides: Partial<LeaderRecord> = {}): LeaderRecord => ({ holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: 100, renewTime: 200, leaseTransitions: 3, ...overrides });

describe('lease decisions', () => {
  it('creates a fresh record when there is no lease', () => {
    assert.deepEqual(nextRecord(undefined, 0, 5000, 'me', 15), { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: 5000, renewTime: 5000, leaseTransitions: 0 });
  });

  it("respects another holder's lease until it has been unchanged for its duration on our clock", () => {
    // Observed at 1000 (the holder's own timestamps are ignored): valid until 1000 + 15s.
    assert.equal(nextRecord(held('other', { renewTime: 0 }), 1000, 15_999, 'me', 10), undefined);
    assert.deepEqual(nextRecord(held('other'), 1000, 16_000, 'me', 10), { holderIdentity: 'me', leaseDurationSeconds: 10, acquireTime: 16_000, renewTime: 16_000, leaseTransitions: 4 });
  });

  it('measures expiry on the monotonic clock and writes wall-clock times into the record', () => {
    assert.equal(nextRecord(held('other'), 1000, 15_999, 'me', 10, 1_800_000_000_000), undefined);
    assert.deepEqual(nextRecord(held('other'), 1000, 16_000, 'me', 10, 1_800_000_000_000), { holderIdentity: 'me', leaseDurationSeconds: 10, acquireTime: 1_800_000_000_000, renewTime: 1_800_000_000_000, leaseTransitions: 4 });
    assert.deepEqual(nextRecord(held('me'), 1000, 1001, 'me', 15, 1_800_000_000_000), { ...held('me'), renewTime: 1_800_000_000_000 });
  });

  it('takes a released lease at once and renews its own keeping acquireTime and transitions', () => {
    assert.equal(nextRecord(held(''), 1000, 1001, 'me', 15)?.holderIdentity, 'me');
    assert.deepEqual(nextRecord(held('me'), 1000, 1001, 'me', 15), { ...held('me'), renewTime: 1001 });
  });

  it('releases with an empty holder and a 1s lease; compares records field by field', () => {
    assert.deepEqual(releasedRecord(held('me'), 9), { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: 9, renewTime: 9, leaseTransitions: 3 });
    assert.equal(sameRecord(held('a'), held('a')), true);
    assert.equal(sameRecord(held('a'), held('a', { renewTime: 201 })), false);
  });

  it("checks client-go's timing constraints", () => {
    assert.equal(timingProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }), undefined);
    assert.equal(timingProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 }), undefined, "Flink's HA defaults");
    assert.match(timingProblem({ leaseDurationMs: 10_000, renewDeadlineMs: 10_001, retryPeriodMs: 2_000 })!, /leaseDuration .* at least renewDeadline/);
    assert.match(timingProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 })!, /1.2 x retryPeriod/);
  });
});
