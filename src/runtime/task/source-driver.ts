/**
 * A source task's reader side: when its reader may be polled (a paced reader names the time
 * of its next poll, an async one a promise), polling it a batch at a time, and suspending it
 * for a stop-with-savepoint (with drain: after the final watermark).
 */
import type { SourcePoll } from '../../api/source.ts';
import { WeirError } from '../../errors/index.ts';
import type { SourceOperator } from '../operators/source-operator.ts';

export class SourceDriver {
  private readyAt = -Infinity;
  private waiting = false;
  private suspended = false;

  constructor(
    private readonly source: SourceOperator,
    private readonly batchSize: number,
    private readonly wake: () => void,
    /** A poll's promise rejected: the task fails with this, outside its steps. */
    private readonly failAsync: (err: unknown) => void,
  ) {}

  canPoll(now: number): boolean {
    return !this.waiting && !this.suspended && now >= this.readyAt;
  }

  /** When the reader wants its next poll; Infinity while it waits on a promise or is suspended. */
  nextPollTime(): number {
    return this.waiting || this.suspended ? Infinity : this.readyAt;
  }

  /** Waiting on something outside the loop: the reader's promise, or the rest of a stop. */
  get waitingOutside(): boolean {
    return this.waiting || this.suspended;
  }

  /** Polls one batch; true when the reader has ended. */
  poll(): boolean {
    const r: SourcePoll = this.source.poll(this.batchSize);
    if (r === 'more') return false;
    if (r === 'end') return true;
    if (typeof r === 'number') {
      // A NaN wake-up time would never come and the loop would spin waiting for it.
      if (Number.isNaN(r)) throw this.source.fail(new WeirError('INVALID_SOURCE_POLL', 'pollNext returned NaN; return a processing time in epoch milliseconds, "more", "end" or a promise', false));
      this.readyAt = r;
      return false;
    }
    this.waiting = true;
    r.then(
      () => {
        this.waiting = false;
        this.wake();
      },
      (err: unknown) => {
        this.waiting = false;
        this.failAsync(this.source.fail(err));
        this.wake();
      },
    );
    return false;
  }

  suspend(drain: boolean): void {
    this.suspended = true;
    if (drain) this.source.drain();
  }

  resume(): void {
    this.suspended = false;
    this.wake();
  }
}
