/**
 * How late this process's timers run while a test measures something. On a busy machine a
 * timer fires that much after its time, so a test's upper bound on "how soon" adds it; lower
 * bounds (the safety side: "not before the lease expired") never do.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface TimerLateness {
  /** The latest any timer ran since this was created, in milliseconds. */
  maxMs(): number;
}

export function timerLateness(): TimerLateness {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return { maxMs: () => histogram.max / 1e6 };
}
