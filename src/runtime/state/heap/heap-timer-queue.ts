/**
 * Timers on the heap, grouped by time. The heap holds each distinct time once, so a window
 * end shared by thousands of keys costs one heap entry; duplicates are found with map
 * lookups, no string building; timers of equal time fire in registration order.
 */
import { MinHeap } from '../../task/min-heap.ts';
import type { KeyValue } from '../key-group.ts';
import type { KeyId, KeyRef } from '../key-identity.ts';
import type { Timer, TimerChanges, TimerQueue } from '../timer-queue.ts';

/** The timers of one time: in registration order, with a cursor for draining. */
interface TimeSlot {
  readonly timers: Timer[];
  cursor: number;
  readonly byNamespace: Map<string, Map<KeyId, Timer>>;
}

export class HeapTimerQueue implements TimerQueue {
  private readonly times = new MinHeap<{ time: number; seq: number }>();
  private readonly slots = new Map<number, TimeSlot>();
  size = 0;
  /** Set by a backend that tracks changes, once restored timers are in. */
  changes: TimerChanges | undefined;
  /**
   * The (time, namespace) of the last add and its key map: operators mostly register the
   * same time over and over (a trigger per record, a window end per key), so the slot and
   * namespace lookups are skipped then. Valid while that slot is in `slots`.
   */
  private lastTime = NaN;
  private lastNamespace = '';
  private lastByKey: Map<KeyId, Timer> | undefined;
  private lastSlot: TimeSlot | undefined;

  private byKeyFor(namespace: string, time: number): [TimeSlot, Map<KeyId, Timer>] {
    let slot = this.slots.get(time);
    if (!slot) {
      slot = { timers: [], cursor: 0, byNamespace: new Map() };
      this.slots.set(time, slot);
      this.times.push({ time, seq: 0 });
    }
    let byKey = slot.byNamespace.get(namespace);
    if (!byKey) slot.byNamespace.set(namespace, (byKey = new Map()));
    this.lastTime = time;
    this.lastNamespace = namespace;
    this.lastSlot = slot;
    this.lastByKey = byKey;
    return [slot, byKey];
  }

  private dropSlot(time: number): void {
    this.slots.delete(time);
    this.times.pop();
    if (time === this.lastTime) {
      this.lastTime = NaN;
      this.lastSlot = this.lastByKey = undefined;
    }
  }

  add(key: KeyRef, namespace: string, time: number): boolean {
    let slot = this.lastSlot;
    let byKey = this.lastByKey;
    if (time !== this.lastTime || namespace !== this.lastNamespace || slot === undefined || byKey === undefined) [slot, byKey] = this.byKeyFor(namespace, time);
    if (byKey.has(key.id)) return false;
    const timer: Timer = { time, key: { key: key.key, id: key.id, keyGroup: key.keyGroup }, namespace, deleted: false };
    byKey.set(key.id, timer);
    slot.timers.push(timer);
    this.size++;
    this.changes?.note(key);
    return true;
  }

  delete(key: KeyRef, namespace: string, time: number): void {
    const byKey = this.slots.get(time)?.byNamespace.get(namespace);
    const timer = byKey?.get(key.id);
    if (!timer) return;
    timer.deleted = true;
    byKey!.delete(key.id);
    this.size--;
    this.changes?.note(key);
  }

  nextTime(): number {
    for (let t = this.times.peek(); t; t = this.times.peek()) {
      const slot = this.slots.get(t.time)!;
      while (slot.cursor < slot.timers.length && slot.timers[slot.cursor]!.deleted) slot.cursor++;
      if (slot.cursor < slot.timers.length) return t.time;
      this.dropSlot(t.time);
    }
    return Infinity;
  }

  popDue(upTo: number): Timer | undefined {
    for (let t = this.times.peek(); t && t.time <= upTo; t = this.times.peek()) {
      const slot = this.slots.get(t.time)!;
      while (slot.cursor < slot.timers.length) {
        const timer = slot.timers[slot.cursor++]!;
        if (timer.deleted) continue;
        slot.byNamespace.get(timer.namespace)!.delete(timer.key.id);
        this.size--;
        this.changes?.note(timer.key);
        return timer;
      }
      this.dropSlot(t.time);
    }
    return undefined;
  }

  dueKeys(upTo: number): KeyValue[] {
    const keys: KeyValue[] = [];
    for (const [time, slot] of this.slots) {
      if (time > upTo) continue;
      for (let i = slot.cursor; i < slot.timers.length; i++) if (!slot.timers[i]!.deleted) keys.push(slot.timers[i]!.key.key);
    }
    return keys;
  }

  /** Every live timer, in no particular order (for snapshots). */
  *timers(): Generator<Timer> {
    for (const slot of this.slots.values()) {
      for (let i = slot.cursor; i < slot.timers.length; i++) if (!slot.timers[i]!.deleted) yield slot.timers[i]!;
    }
  }
}
