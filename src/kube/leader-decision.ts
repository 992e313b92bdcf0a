/**
 * The leader-election rules of client-go's leaderelection package as pure functions. A
 * lease held by someone else counts as expired only when its record has not changed for a
 * lease duration *as measured by this process's clock* from when it first saw that record,
 * so candidates never compare their clocks with the holder's timestamps.
 */
import type { LeaderRecord } from './leader-lock.ts';

/**
 * The record to write to take or keep the lease, or undefined when another holder's lease
 * is still valid. `observedAt` is when this process first saw `current` as it is now, on the
 * same clock as `now`: a monotonic one, so a wall clock stepped by NTP neither expires a
 * valid lease early nor keeps a dead one. `recordTime` is the wall-clock time written into
 * the record (its acquireTime and renewTime are for people and other tools to read).
 */
export function nextRecord(current: LeaderRecord | undefined, observedAt: number, now: number, identity: string, leaseDurationSeconds: number, recordTime = now): LeaderRecord | undefined {
  if (!current) return { holderIdentity: identity, leaseDurationSeconds, acquireTime: recordTime, renewTime: recordTime, leaseTransitions: 0 };
  const heldByOther = current.holderIdentity !== '' && current.holderIdentity !== identity;
  if (heldByOther && observedAt + current.leaseDurationSeconds * 1000 > now) return undefined;
  if (current.holderIdentity === identity) return { ...current, leaseDurationSeconds, renewTime: recordTime };
  return { holderIdentity: identity, leaseDurationSeconds, acquireTime: recordTime, renewTime: recordTime, leaseTransitions: current.leaseTransitions + 1 };
}

/** The record a leader writes when it steps down, so a successor need not wait for expiry. */
export function releasedRecord(current: LeaderRecord, now: number): LeaderRecord {
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.leaseTransitions };
}

export function sameRecord(a: LeaderRecord, b: LeaderRecord): boolean {
  return a.holderIdentity === b.holderIdentity && a.leaseDurationSeconds === b.leaseDurationSeconds && a.acquireTime === b.acquireTime && a.renewTime === b.renewTime && a.leaseTransitions === b.leaseTransitions;
}

export interface LeaderElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/**
 * client-go's constraints: a leader must give up before others may take over, and retry in
 * time. A renew deadline equal to the lease (Flink's HA defaults, 15 s each) is allowed: the
 * leader stops by its last renewal's start plus the deadline, which is never after a
 * candidate, who counts from when it saw that renewal, may take over.
 */
export function timingProblem(t: LeaderElectionTimings): string | undefined {
  if (t.retryPeriodMs <= 0) return `retryPeriod (${t.retryPeriodMs}ms) must be positive`;
  if (t.leaseDurationMs < t.renewDeadlineMs) return `leaseDuration (${t.leaseDurationMs}ms) must be at least renewDeadline (${t.renewDeadlineMs}ms)`;
  if (t.renewDeadlineMs <= t.retryPeriodMs * 1.2) return `renewDeadline (${t.renewDeadlineMs}ms) must be greater than 1.2 x retryPeriod (${t.retryPeriodMs}ms)`;
  return undefined;
}
