/**
 * Keyed timers of one operator, as Flink's InternalTimerService: event-time timers fire
 * when the watermark passes them, processing-time timers when the clock does; each
 * (key, namespace, time) exists at most once. The timers themselves are keyed state: they
 * live in queues the operator's state backend creates, snapshots and restores.
 */
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { KeyValue } from '../state/key-group.ts';
import type { Timer, TimerQueue } from '../state/timer-queue.ts';
import type { ProcessingTimeService, ScheduledHandle } from './processing-time-service.ts';

export type { Timer } from '../state/timer-queue.ts';

export interface TimerTarget {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

export class InternalTimerService {
  private readonly eventTimers: TimerQueue;
  private readonly processingTimers: TimerQueue;
  private scheduled: { time: number; handle: ScheduledHandle } | undefined;
  currentWatermark = -Infinity;

  constructor(
    /** Names the timers in snapshots (as Flink's "user-timers", "window-timers"). */
    name: string,
    private readonly backend: KeyedStateBackend,
    private readonly pts: ProcessingTimeService,
    private readonly target: TimerTarget,
  ) {
    this.eventTimers = backend.timerQueue(name, 'event');
    this.processingTimers = backend.timerQueue(name, 'processing');
    // Restored processing-time timers are due whenever the clock gets there.
    this.reschedule();
  }

  currentProcessingTime(): number {
    return this.pts.now();
  }

  registerEventTimeTimer(namespace: string, time: number): void {
    this.eventTimers.add(this.backend.currentKeyView(), namespace, time);
  }

  deleteEventTimeTimer(namespace: string, time: number): void {
    this.eventTimers.delete(this.backend.currentKeyView(), namespace, time);
  }

  registerProcessingTimeTimer(namespace: string, time: number): void {
    if (this.processingTimers.add(this.backend.currentKeyView(), namespace, time)) this.reschedule();
  }

  deleteProcessingTimeTimer(namespace: string, time: number): void {
    this.processingTimers.delete(this.backend.currentKeyView(), namespace, time);
  }

  numEventTimeTimers(): number {
    return this.eventTimers.size;
  }

  numProcessingTimeTimers(): number {
    return this.processingTimers.size;
  }

  /** Reads the event-time timers a watermark would fire into memory (timers on RocksDB); undefined when nothing to read. */
  loadEventTimers(watermark: number): Promise<void> | undefined {
    return this.eventTimers.load?.(watermark);
  }

  /** The same for processing-time timers due at `now`. */
  loadProcessingTimers(now: number): Promise<void> | undefined {
    return this.processingTimers.load?.(now);
  }

  /** The keys of the event-time timers a watermark would fire, so a backend can prefetch them. */
  eventTimeKeysDue(watermark: number): KeyValue[] {
    return this.eventTimers.dueKeys(watermark);
  }

  /** The keys of the processing-time timers due at `now`. */
  processingTimeKeysDue(now: number): KeyValue[] {
    return this.processingTimers.dueKeys(now);
  }

  /** Fires every event-time timer at or before `watermark`, including ones registered while firing. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    for (let t = this.eventTimers.popDue(watermark); t; t = this.eventTimers.popDue(watermark)) {
      this.backend.setCurrentKeyRef(t.key);
      this.target.onEventTime(t);
    }
  }

  /** Called by the task's processing-time service. */
  onProcessingTime(now: number): void {
    this.scheduled = undefined;
    for (let t = this.processingTimers.popDue(now); t; t = this.processingTimers.popDue(now)) {
      this.backend.setCurrentKeyRef(t.key);
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
