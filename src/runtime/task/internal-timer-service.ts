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
  time: number;
  seq: number;
  key: KeyValue;
  namespace: string;
  deleted: boolean;
}

export interface TimerTarget {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

/**
 * Timers indexed time -> namespace -> key, so checking for a duplicate costs map lookups
 * and no string building (window operators register two timers per window per record).
 */
class TimerQueue {
  readonly heap = new MinHeap<Timer>();
  private readonly index = new Map<number, Map<string, Map<KeyId, Timer>>>();
  size = 0;

  private slot(time: number, namespace: string, create: boolean): Map<KeyId, Timer> | undefined {
    let byNs = this.index.get(time);
    if (!byNs) {
      if (!create) return undefined;
      this.index.set(time, (byNs = new Map()));
    }
    let byKey = byNs.get(namespace);
    if (!byKey && create) byNs.set(namespace, (byKey = new Map()));
    return byKey;
  }

  add(key: KeyValue, namespace: string, time: number): boolean {
    const slot = this.slot(time, namespace, true)!;
    const id = keyIdentity(key);
    if (slot.has(id)) return false;
    const t: Timer = { time, seq: 0, key, namespace, deleted: false };
    slot.set(id, t);
    this.heap.push(t);
    this.size++;
    return true;
  }

  private unindex(t: Timer): void {
    const byNs = this.index.get(t.time)!;
    const slot = byNs.get(t.namespace)!;
    slot.delete(keyIdentity(t.key));
    if (slot.size === 0) {
      byNs.delete(t.namespace);
      if (byNs.size === 0) this.index.delete(t.time);
    }
    this.size--;
  }

  delete(key: KeyValue, namespace: string, time: number): void {
    const t = this.slot(time, namespace, false)?.get(keyIdentity(key));
    if (t) {
      t.deleted = true;
      this.unindex(t);
    }
  }

  /** Earliest live timer time, or Infinity. */
  nextTime(): number {
    for (let t = this.heap.peek(); t; t = this.heap.peek()) {
      if (!t.deleted) return t.time;
      this.heap.pop();
    }
    return Infinity;
  }

  popDue(upTo: number): Timer | undefined {
    for (let t = this.heap.peek(); t && t.time <= upTo; t = this.heap.peek()) {
      this.heap.pop();
      if (t.deleted) continue;
      this.unindex(t);
      return t;
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
