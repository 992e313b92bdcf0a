/** Per-task processing-time callbacks; the task loop fires what is due. */
import type { Clock } from './clock.ts';
import { MinHeap } from './min-heap.ts';

export interface ProcessingTimeCallback {
  onProcessingTime(time: number): void;
}

interface Scheduled {
  time: number;
  seq: number;
  target: ProcessingTimeCallback;
  cancelled: boolean;
}

export interface ScheduledHandle {
  cancel(): void;
}

export class ProcessingTimeService {
  private readonly queue = new MinHeap<Scheduled>();

  constructor(readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  schedule(time: number, target: ProcessingTimeCallback): ScheduledHandle {
    const s: Scheduled = { time, seq: 0, target, cancelled: false };
    this.queue.push(s);
    return { cancel: () => (s.cancelled = true) };
  }

  /** The earliest pending time, or Infinity. */
  nextTime(): number {
    let top = this.queue.peek();
    while (top && top.cancelled) {
      this.queue.pop();
      top = this.queue.peek();
    }
    return top ? top.time : Infinity;
  }

  /** Fires every callback due at `now`; returns how many fired. */
  fireDue(now: number): number {
    let fired = 0;
    for (let top = this.queue.peek(); top && top.time <= now; top = this.queue.peek()) {
      this.queue.pop();
      if (top.cancelled) continue;
      fired++;
      top.target.onProcessingTime(top.time);
    }
    return fired;
  }

  clear(): void {
    while (this.queue.pop()) {
      /* drain */
    }
  }
}
