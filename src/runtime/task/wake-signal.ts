/**
 * How a task group's loop sleeps until something can run: input arrived, output capacity
 * came back, a source's promise settled. A wake with nobody waiting is kept, not dropped:
 * the loop looks at its tasks, then yields to the event loop (where data and credit
 * arrive), then goes to sleep, and a wake in between would otherwise leave it asleep on
 * work it already has until its next timer (tens of milliseconds of latency, measured).
 */
export class WakeSignal {
  private resolver: (() => void) | undefined;
  private pending = false;

  readonly wake = (): void => {
    const r = this.resolver;
    this.resolver = undefined;
    if (r !== undefined) r();
    else this.pending = true;
  };

  /** Settles at the next wake, at once if one came since the last wait. */
  next(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.resolver = resolve));
  }
}
