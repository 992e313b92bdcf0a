/**
 * A log-linear latency histogram in the manner of HdrHistogram: whole microseconds below
 * 2^SUB_BITS are counted exactly; above that each power of two is split into 2^(SUB_BITS-1)
 * equal buckets, so a bucket is at most 1/128 of its values wide. Percentiles report the
 * highest value of their bucket (never below the true value, at most 0.8% above it); min
 * and max are exact. It records every sample in constant memory, so a benchmark need not
 * sample (and thereby miss) the slow records, and histograms from several processes merge.
 */

const SUB_BITS = 8;
const SUB = 1 << SUB_BITS;
const HALF = SUB >> 1;
/** Largest recordable value: 2^40 - 1 us, about 12 days. */
export const MAX_TRACKABLE_US = 2 ** 40 - 1;
const BUCKETS = SUB + (40 - SUB_BITS) * HALF;

/** floor(log2(v)) for an integer 1 <= v < 2^53. */
function log2Floor(v: number): number {
  return v < 2 ** 32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / 2 ** 32));
}

export function bucketIndex(us: number): number {
  if (us < SUB) return us;
  const shift = log2Floor(us) - (SUB_BITS - 1);
  const sub = Math.floor(us / 2 ** shift);
  return SUB + (shift - 1) * HALF + (sub - HALF);
}

/** The highest value that falls into bucket `index`. */
export function bucketHighest(index: number): number {
  if (index < SUB) return index;
  const k = index - SUB;
  const shift = Math.floor(k / HALF) + 1;
  const sub = (k % HALF) + HALF;
  return (sub + 1) * 2 ** shift - 1;
}

/** The plain-data form that crosses process boundaries (a job result, JSON). */
export interface HistogramData {
  /** [bucket index, count] for every non-empty bucket. */
  counts: [number, number][];
  min: number;
  max: number;
  /** Samples that were below zero (clocks of two processes disagreeing) and counted as 0. */
  negative: number;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  negative: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private minUs = Infinity;
  private maxUs = -Infinity;
  private negative = 0;

  get count(): number {
    return this.total;
  }

  /** Records a latency in milliseconds, rounded to whole microseconds; below zero counts as 0. */
  recordMs(ms: number): void {
    if (ms < 0) {
      this.negative++;
      ms = 0;
    }
    this.record(Math.round(ms * 1000));
  }

  record(us: number, times = 1): void {
    if (!(Number.isSafeInteger(us) && us >= 0 && us <= MAX_TRACKABLE_US)) {
      throw new RangeError(`latency histogram: ${us} us is not a whole number in [0, ${MAX_TRACKABLE_US}]`);
    }
    this.counts[bucketIndex(us)] += times;
    this.total += times;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** The smallest recorded value v such that at least p% of the samples are <= v (bucket precision), in us. */
  valueAtPercentile(p: number): number {
    if (this.total === 0) throw new RangeError('latency histogram: no samples');
    if (!(p >= 0 && p <= 100)) throw new RangeError(`latency histogram: percentile ${p} is not in [0, 100]`);
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.max(this.minUs, Math.min(bucketHighest(i), this.maxUs));
    }
    return this.maxUs;
  }

  merge(other: LatencyHistogram): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
    this.negative += other.negative;
    return this;
  }

  toJSON(): HistogramData {
    const counts: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) counts.push([i, this.counts[i]]);
    return { counts, min: this.minUs, max: this.maxUs, negative: this.negative };
  }

  static fromJSON(data: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [i, n] of data.counts) {
      if (!(Number.isSafeInteger(i) && i >= 0 && i < BUCKETS && n > 0)) throw new RangeError(`latency histogram: bad bucket [${i}, ${n}]`);
      h.counts[i] += n;
      h.total += n;
    }
    if (h.total > 0) {
      h.minUs = data.min;
      h.maxUs = data.max;
    }
    h.negative = data.negative;
    return h;
  }

  summary(): LatencySummary {
    const ms = (us: number) => us / 1000;
    return {
      count: this.total,
      p50Ms: ms(this.valueAtPercentile(50)),
      p99Ms: ms(this.valueAtPercentile(99)),
      p999Ms: ms(this.valueAtPercentile(99.9)),
      maxMs: ms(this.maxUs),
      negative: this.negative,
    };
  }
}

/** "p50 0.42ms, p99 3.1ms, p99.9 7.9ms, max 12ms (300000 samples)". */
export function describeLatency(s: LatencySummary): string {
  const f = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0));
  const negative = s.negative > 0 ? `, ${s.negative} below zero counted as 0` : '';
  return `p50 ${f(s.p50Ms)}ms, p99 ${f(s.p99Ms)}ms, p99.9 ${f(s.p999Ms)}ms, max ${f(s.maxMs)}ms (${s.count} samples${negative})`;
}
