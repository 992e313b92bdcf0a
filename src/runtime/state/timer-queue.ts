/**
 * Timers are keyed state: each (key, namespace, time) exists at most once per timer service
 * and domain, belongs to its key's key group, and is snapshotted and restored with it. The
 * backend creates the queues; InternalTimerService (task/) fires what they hold.
 */
import { keyGroupFor } from './key-group.ts';
import type { KeyValue } from './key-group.ts';
import type { KeyRef } from './key-identity.ts';

export interface Timer {
  readonly time: number;
  readonly key: KeyRef;
  readonly namespace: string;
  deleted: boolean;
}

export interface TimerQueue {
  readonly size: number;
  /** Registers a timer unless it exists (then false). `key` may be a live view: it is copied. */
  add(key: KeyRef, namespace: string, time: number): boolean;
  delete(key: KeyRef, namespace: string, time: number): void;
  /** Earliest time with a live timer, or Infinity. */
  nextTime(): number;
  /** Removes and returns the next timer due at or before `upTo`, in time, then registration, order. */
  popDue(upTo: number): Timer | undefined;
  /** The keys of the timers due at or before `upTo`, without removing them (for prefetching). */
  dueKeys(upTo: number): KeyValue[];
  /** A disk-backed queue reads the timers due by `upTo` into memory; call before dueKeys / popDue up to it. */
  load?(upTo: number): Promise<void> | undefined;
}

/** The key groups whose timers changed since the last snapshot (incremental checkpoints with deltas). */
export class TimerChanges {
  private groups = new Set<number>();

  constructor(private readonly maxParallelism: number) {}

  note(key: KeyRef): void {
    this.groups.add(key.keyGroup >= 0 ? key.keyGroup : keyGroupFor(key.key, this.maxParallelism));
  }

  /** The groups changed since the last call; recording starts over. */
  take(): Set<number> {
    const g = this.groups;
    this.groups = new Set();
    return g;
  }
}
