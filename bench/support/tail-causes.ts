/**
 * Where a latency tail comes from. Each sink subtask of the latency job notes, in the
 * worker it runs in, every garbage-collection pause (a PerformanceObserver on 'gc' sees the
 * whole isolate, so the source subtask sharing the slot is covered too), the moments its
 * checkpoint hook ran (the barrier reached the sink: alignment and the synchronous snapshot
 * were just before), the event-loop delay, and the send and receive time of every slow
 * record. The benchmark then asks, for each record at or above the p99: did its time in
 * flight contain a GC pause, or a checkpoint at a sink, or neither? A long interval meets
 * more of everything by chance, so the same question is asked of a control: each tail
 * interval moved to a random other moment of the run, same length. A cause matters as far
 * as the tail meets it more often than its control does.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** Epoch ms with sub-millisecond precision, comparable between processes on one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Slow records kept per sink subtask. When full, the bar doubles and the records below it
 * go (in place, in one pass: this runs on the measured path, a sort stalled it by tens of
 * ms): the slowest records are always kept, wherever in the run they came (a first-come
 * cap filled up early and lost a tail late in the run).
 */
const MAX_SLOW = 100_000;

export interface TailEvidence {
  /** Epoch ms of the first measured record (warm-up excluded); NaN when there was none. */
  measuredFrom: number;
  /** [start, end] epoch ms of each GC pause in this worker. */
  gcPauses: [number, number][];
  /** Epoch ms at which the sink's checkpoint hook ran. */
  checkpoints: number[];
  /** [intended send, received] epoch ms of records slower than the recorder's threshold. */
  slow: [number, number][];
  /** Event-loop delay of this worker in ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export class TailRecorder {
  private readonly gcPauses: [number, number][] = [];
  private readonly checkpoints: number[] = [];
  private readonly slow: [number, number][] = [];
  private measuredFrom = Number.NaN;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const start = performance.timeOrigin + e.startTime;
      this.gcPauses.push([start, start + e.duration]);
    }
  });
  private readonly loop = monitorEventLoopDelay({ resolution: 1 });

  constructor(private slowMs: number) {
    this.observer.observe({ entryTypes: ['gc'] });
    this.loop.enable();
  }

  /** Call for every measured record (not for warm-up records). */
  record(intended: number, received: number): void {
    if (Number.isNaN(this.measuredFrom)) this.measuredFrom = received;
    if (received - intended < this.slowMs) return;
    this.slow.push([intended, received]);
    while (this.slow.length >= MAX_SLOW) this.raiseBar();
  }

  private raiseBar(): void {
    this.slowMs *= 2;
    const slow = this.slow;
    let kept = 0;
    for (let i = 0; i < slow.length; i++) {
      const r = slow[i]!;
      if (r[1] - r[0] >= this.slowMs) slow[kept++] = r;
    }
    slow.length = kept;
  }

  checkpoint(at: number): void {
    this.checkpoints.push(at);
  }

  finish(): TailEvidence {
    this.observer.disconnect();
    this.loop.disable();
    return {
      measuredFrom: this.measuredFrom,
      gcPauses: this.gcPauses,
      checkpoints: this.checkpoints,
      slow: this.slow,
      loopDelayP99Ms: this.loop.percentile(99) / 1e6,
      loopDelayMaxMs: this.loop.max / 1e6,
    };
  }
}

/** How many records of a set met each cause (a GC pause first, then a checkpoint, else neither). */
export interface CauseShares {
  records: number;
  gc: number;
  checkpoint: number;
  neither: number;
}

export interface TailCauses {
  thresholdMs: number;
  /** The records at or above the threshold. */
  tail: CauseShares;
  /** The same intervals, each moved to a random moment of the run: what chance gives. */
  chance: CauseShares;
  gcPauseCount: number;
  gcPauseTotalMs: number;
  gcPauseMaxMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Whether any of `sorted` (intervals by start) overlaps [from, to]. */
function overlaps(sorted: readonly [number, number][], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![0] < to) lo = mid + 1;
    else hi = mid;
  }
  // Pauses are short and do not nest: look back over the few that start before `to`.
  for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) if (sorted[i]![1] > from) return true;
  return false;
}

function shares(records: Iterable<[number, number]>, gc: readonly [number, number][], checkpoints: readonly number[]): CauseShares {
  const out: CauseShares = { records: 0, gc: 0, checkpoint: 0, neither: 0 };
  for (const [sent, received] of records) {
    out.records++;
    if (overlaps(gc, sent, received)) out.gc++;
    else if (checkpoints.some((t) => t >= sent && t <= received)) out.checkpoint++;
    else out.neither++;
  }
  return out;
}

/** A small deterministic generator (mulberry32), so a report can be reproduced from the same evidence. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Attributes the records at or above `thresholdMs`, and the same intervals at random moments of the run. */
export function tailCauses(evidence: readonly TailEvidence[], thresholdMs: number): TailCauses {
  const from = Math.min(...evidence.map((e) => (Number.isNaN(e.measuredFrom) ? Infinity : e.measuredFrom)));
  const gc = evidence.flatMap((e) => e.gcPauses).filter(([, end]) => end >= from).sort((a, b) => a[0] - b[0]);
  const checkpoints = evidence.flatMap((e) => e.checkpoints).filter((t) => t >= from);
  const tail = evidence.flatMap((e) => e.slow.filter(([sent, received]) => received - sent >= thresholdMs));
  const end = Math.max(...tail.map(([, received]) => received));
  const next = random(tail.length);
  const moved = tail.map(([sent, received]): [number, number] => {
    const at = from + next() * Math.max(0, end - from - (received - sent));
    return [at, at + received - sent];
  });
  const out: TailCauses = {
    thresholdMs,
    tail: shares(tail, gc, checkpoints),
    chance: shares(moved, gc, checkpoints),
    gcPauseCount: gc.length,
    gcPauseTotalMs: 0,
    gcPauseMaxMs: 0,
    loopDelayP99Ms: Math.max(0, ...evidence.map((e) => e.loopDelayP99Ms)),
    loopDelayMaxMs: Math.max(0, ...evidence.map((e) => e.loopDelayMaxMs)),
  };
  for (const [s, e] of gc) {
    out.gcPauseTotalMs += e - s;
    out.gcPauseMaxMs = Math.max(out.gcPauseMaxMs, e - s);
  }
  return out;
}

export function describeTailCauses(t: TailCauses): string {
  const pct = (s: CauseShares, n: number) => (s.records === 0 ? '0%' : `${((100 * n) / s.records).toFixed(0)}%`);
  const cause = (name: string, pick: (s: CauseShares) => number) => `${name} ${pct(t.tail, pick(t.tail))} (by chance ${pct(t.chance, pick(t.chance))})`;
  return (
    `the ${t.tail.records} records at or above ${t.thresholdMs.toFixed(2)}ms were in flight during: ${cause('a GC pause', (s) => s.gc)}, ` +
    `${cause('a checkpoint', (s) => s.checkpoint)}, ${cause('neither', (s) => s.neither)}; ` +
    `GC in the slot workers: ${t.gcPauseCount} pauses, ${t.gcPauseTotalMs.toFixed(0)}ms in all, longest ${t.gcPauseMaxMs.toFixed(2)}ms; ` +
    `event-loop delay p99 ${t.loopDelayP99Ms.toFixed(2)}ms, max ${t.loopDelayMaxMs.toFixed(2)}ms`
  );
}
