/**
 * A generated stream: record i = generator(i), for i in [0, count). Subtask s of p makes
 * indices s, s+p, s+2p, ... so the union over subtasks is the same at any parallelism;
 * checkpoints keep each split's next index (support/index-splits.ts). An optional rate
 * limit (records per second over all subtasks) paces generation.
 */
import type { Source, SourceOutput, SourcePoll, SourceReader, SourceReaderContext } from '../../api/source.ts';
import { IndexSplits } from '../support/index-splits.ts';

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
    const splits = IndexSplits.forReader(ctx);
    const rate = this.options.recordsPerSecond === undefined ? undefined : this.options.recordsPerSecond / ctx.parallelism;
    const started = ctx.currentProcessingTime();
    let emitted = 0;
    return {
      pollNext(output: SourceOutput<T>, maxRecords: number): SourcePoll {
        if (splits.ended(count)) return 'end';
        let n = maxRecords;
        if (rate !== undefined) {
          const now = ctx.currentProcessingTime();
          const allowed = Math.floor(((now - started) * rate) / 1000) + 1 - emitted;
          if (allowed <= 0) return started + Math.ceil(((emitted) * 1000) / rate);
          n = Math.min(n, allowed);
        }
        emitted += splits.take(n, count, (i) => output.collect(generator(i)));
        return splits.ended(count) ? 'end' : 'more';
      },
      snapshotState: () => splits.snapshot(),
    };
  }
}
