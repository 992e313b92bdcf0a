/**
 * A generated stream: record i = generator(i), for i in [0, count). Subtask s of p makes
 * indices s, s+p, s+2p, ... so the union over subtasks is the same at any parallelism.
 * An optional rate limit (records per second over all subtasks) paces generation.
 */
import type { Source, SourceOutput, SourcePoll, SourceReader, SourceReaderContext } from '../../api/source.ts';

export interface DataGeneratorOptions {
  /** Records per second over all subtasks; unlimited when omitted. */
  recordsPerSecond?: number;
}

export class DataGeneratorSource<T> implements Source<T> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

  constructor(
    private readonly generator: (index: number) => T,
    /** Number of records; Infinity for an unbounded stream. */
    private readonly count: number,
    private readonly options: DataGeneratorOptions = {},
  ) {
    if (typeof generator !== 'function') throw new TypeError('DataGeneratorSource needs a function (index) => record');
    if (!(count >= 0)) throw new RangeError(`DataGeneratorSource count must be >= 0 (or Infinity), got ${count}`);
    const rate = options.recordsPerSecond;
    if (rate !== undefined && !(rate > 0)) throw new RangeError(`recordsPerSecond must be > 0, got ${rate}`);
    this.boundedness = Number.isFinite(count) ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    const { generator, count } = this;
    const step = ctx.parallelism;
    let next = ctx.subtaskIndex;
    const rate = this.options.recordsPerSecond === undefined ? undefined : this.options.recordsPerSecond / ctx.parallelism;
    const started = ctx.currentProcessingTime();
    let emitted = 0;
    return {
      pollNext(output: SourceOutput<T>, maxRecords: number): SourcePoll {
        if (next >= count) return 'end';
        let n = maxRecords;
        if (rate !== undefined) {
          const now = ctx.currentProcessingTime();
          const allowed = Math.floor(((now - started) * rate) / 1000) + 1 - emitted;
          if (allowed <= 0) return started + Math.ceil(((emitted) * 1000) / rate);
          n = Math.min(n, allowed);
        }
        for (let i = 0; i < n && next < count; i++, next += step) output.collect(generator(next));
        emitted += n;
        return next >= count ? 'end' : 'more';
      },
    };
  }
}
