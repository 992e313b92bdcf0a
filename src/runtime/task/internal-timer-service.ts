/**
 * Keyed timers of one operator, as Flink's InternalTimerService: event-time timers fire
 * when the watermark passes them, processing-time timers when the clock does; each
 * (key, namespace, time) exists at most once.
 */
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { keyIdentity } from '../state/keyed-state-backend.ts';
import type { KeyValue } from '../state/key-group.ts';
import type { KeyId } from '../state/heap/state-table.ts';
import { MinHeap } from './min-heap.ts';
import type { ProcessingTimeService, ScheduledHandle } from './processing-time-service.ts';

export interface Timer {
  readonly time: number;
  readonly key: KeyValue;
  readonly namespace: string;
  deleted: boolean;
}

export interface TimerTarget {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

/** The timers of one time: in registration order, with a cursor for draining. */
interface TimeSlot {
  readonly timers: Timer[];
  cursor: number;
  readonly byNamespace: Map<string, Map<KeyId, Timer>>;
}

/**
 * Timers grouped by time. The heap holds each distinct time once, so a window end shared
 * by thousands of keys costs one heap entry; duplicates are found with map lookups, no
 * string building; timers of equal time fire in registration order.
 */
class TimerQueue {
  private readonly times = new MinHeap<{ time: number; seq: number }>();
  private readonly slots = new Map<number, TimeSlot>();
  size = 0;
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

  add(key: KeyValue, namespace: string, time: number): boolean {
    let slot = this.lastSlot;
    let byKey = this.lastByKey;
    if (time !== this.lastTime || namespace !== this.lastNamespace || slot === undefined || byKey === undefined) [slot, byKey] = this.byKeyFor(namespace, time);
    const id = keyIdentity(key);
    if (byKey.has(id)) return false;
    const timer: Timer = { time, key, namespace, deleted: false };
    byKey.set(id, timer);
    slot.timers.push(timer);
    this.size++;
    return true;
  }

  delete(key: KeyValue, namespace: string, time: number): void {
    const byKey = this.slots.get(time)?.byNamespace.get(namespace);
    const id = keyIdentity(key);
    const timer = byKey?.get(id);
    if (!timer) return;
    timer.deleted = true;
    byKey!.delete(id);
    this.size--;
  }

  /** Earliest time with a live timer, or Infinity. */
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
        slot.byNamespace.get(timer.namespace)!.delete(keyIdentity(timer.key));
        this.size--;
        return timer;
      }
      this.dropSlot(t.time);
    }
    return undefined;
  }
}

export class InternalTimerService {
  private readonly eventTimers = new TimerQueue();
  private readonly processingTimers = new TimerQueue();
  private scheduled: { time: number; handle: ScheduledHandle } | undefined;
  currentWatermark = -Infinity;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly pts: ProcessingTimeService,
    private readonly target: TimerTarget,
  ) {}

  currentProcessingTime(): number {
    return this.pts.now();
  }

  registerEventTimeTimer(namespace: string, time: number): void {
    this.eventTimers.add(this.backend.getCurrentKey(), namespace, time);
  }

  deleteEventTimeTimer(namespace: string, time: number): void {
    this.eventTimers.delete(this.backend.getCurrentKey(), namespace, time);
  }

  registerProcessingTimeTimer(namespace: string, time: number): void {
    if (this.processingTimers.add(this.backend.getCurrentKey(), namespace, time)) this.reschedule();
  }

  deleteProcessingTimeTimer(namespace: string, time: number): void {
    this.processingTimers.delete(this.backend.getCurrentKey(), namespace, time);
  }

  numEventTimeTimers(): number {
    return this.eventTimers.size;
  }

  numProcessingTimeTimers(): number {
    return this.processingTimers.size;
  }

  /** Fires every event-time timer at or before `watermark`, including ones registered while firing. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    for (let t = this.eventTimers.popDue(watermark); t; t = this.eventTimers.popDue(watermark)) {
      this.backend.setCurrentKey(t.key);
      this.target.onEventTime(t);
    }
  }

  /** Called by the task's processing-time service. */
  onProcessingTime(now: number): void {
    this.scheduled = undefined;
    for (let t = this.processingTimers.popDue(now); t; t = this.processingTimers.popDue(now)) {
      this.backend.setCurrentKey(t.key);
      this.target.onProcessingTime(t);
    }
    this.reschedule();
  }

  private reschedule(): void {
    const next = this.processingTimers.nextTime();
    if (next === Infinity) return;
    if (this.scheduled && this.scheduled.time <= next) return;
    this.scheduled?.handle.cancel();
    this.scheduled = { time: next, handle: this.pts.schedule(next, this) };
  }
}
