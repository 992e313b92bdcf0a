/**
 * Flink's views: metrics derived from plain counters at a fixed interval rather than per
 * event, so the hot path only ever increments numbers. MeterView turns a count into a
 * per-second rate over a window; TimerView turns accumulated milliseconds in a state (idle,
 * backpressured) into milliseconds per second, as Flink's TimerGauge.
 */

/** Flink's View.UPDATE_INTERVAL_SECONDS and the default time span of its meters. */
export const UPDATE_INTERVAL_MS = 5_000;
export const TIME_SPAN_MS = 60_000;

export interface ViewTiming {
  /** Interval between updates (Flink: 5s). Tests shorten it. */
  readonly intervalMs: number;
  /** Window the values are averaged over (Flink: 60s); rounded down to whole intervals. */
  readonly spanMs: number;
}

export const FLINK_VIEW_TIMING: ViewTiming = { intervalMs: UPDATE_INTERVAL_MS, spanMs: TIME_SPAN_MS };

export interface View {
  /** Takes one sample; `at` is the time the update was due (catch-up updates pass earlier times). */
  update(at: number): void;
}

function intervalsIn(t: ViewTiming): number {
  if (!(t.intervalMs > 0) || !(t.spanMs >= t.intervalMs)) throw new RangeError(`view timing needs 0 < intervalMs <= spanMs, got ${t.intervalMs} and ${t.spanMs}`);
  return Math.floor(t.spanMs / t.intervalMs);
}

/**
 * Flink's MeterView: a ring of count samples one interval apart; the rate is (newest - oldest)
 * over the whole span. As in Flink the ring starts at zero, so during the first span the rate
 * ramps up rather than extrapolating from a few samples.
 */
export class MeterView implements View {
  private readonly values: number[];
  private readonly spanSeconds: number;
  private time = 0;
  rate = 0;

  constructor(
    private readonly count: () => number,
    timing: ViewTiming = FLINK_VIEW_TIMING,
  ) {
    const n = intervalsIn(timing);
    this.values = new Array<number>(n + 1).fill(0);
    this.spanSeconds = (n * timing.intervalMs) / 1000;
  }

  update(): void {
    const v = this.values;
    this.time = (this.time + 1) % v.length;
    v[this.time] = this.count();
    this.rate = (v[this.time]! - v[(this.time + 1) % v.length]!) / this.spanSeconds;
  }
}

/**
 * Flink's TimerGauge: milliseconds per second spent in a state, averaged over the intervals
 * seen so far (at most the span), rounded down and clamped to [0, 1000]. Reads a monotonic
 * total of milliseconds up to a given time, so an ongoing period counts up to each update.
 */
export class TimerView implements View {
  private readonly values: number[];
  private idx = 0;
  private filled = 0;
  private last = 0;
  value = 0;

  constructor(
    private readonly accumulatedAt: (at: number) => number,
    private readonly timing: ViewTiming = FLINK_VIEW_TIMING,
  ) {
    this.values = new Array<number>(intervalsIn(timing)).fill(0);
  }

  update(at: number): void {
    const total = this.accumulatedAt(at);
    this.values[this.idx] = total - this.last;
    this.last = total;
    this.idx = (this.idx + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
    let sum = 0;
    for (let i = 0; i < this.filled; i++) sum += this.values[i]!;
    this.value = Math.max(0, Math.min(1000, Math.floor((sum * 1000) / (this.filled * this.timing.intervalMs))));
  }
}

/**
 * Updates views every interval. Nothing runs in the background: `tick()` is called by the
 * task loop on every pass and before every change of a task's times, and by the registry on
 * every scrape, and runs the updates that came due since, each with its due time. Counters
 * only change while tasks run, so a catch-up update samples what the counter held at its
 * due time, and a time total is never read with time after its due time in it.
 */
export class ViewUpdater {
  private readonly views: View[] = [];
  private next: number;
  private stopped = false;

  constructor(
    private readonly now: () => number,
    readonly timing: ViewTiming = FLINK_VIEW_TIMING,
  ) {
    intervalsIn(timing);
    this.next = now() + timing.intervalMs;
  }

  add<V extends View>(view: V): V {
    this.views.push(view);
    return view;
  }

  /** `now`: the caller's reading of the same clock, when it has one. */
  tick(now = this.now()): void {
    if (this.stopped) return;
    while (now >= this.next) {
      for (const v of this.views) v.update(this.next);
      this.next += this.timing.intervalMs;
    }
  }

  /** Freezes every view at its last value (the job has ended). */
  stop(): void {
    this.tick();
    this.stopped = true;
  }
}
