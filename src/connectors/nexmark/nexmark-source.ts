/**
 * The Nexmark event stream as a source. Subtask s of p generates event indices
 * s, s+p, ..., so the stream is the same at any parallelism; each event carries its
 * dateTime as event timestamp. Checkpoints keep each split's next index.
 */
import type { Source, SourceOutput, SourcePoll, SourceReader, SourceReaderContext } from '../../api/source.ts';
import { nexmarkConfig } from './config.ts';
import type { NexmarkConfig, NexmarkOptions } from './config.ts';
import { nexmarkEvent } from './generator.ts';
import type { NexmarkEvent } from './model.ts';
import { IndexSplits } from '../support/index-splits.ts';

export interface NexmarkSourceOptions extends NexmarkOptions {
  /** Number of events; Infinity for an unbounded stream. */
  events: number;
}

export class NexmarkSource implements Source<NexmarkEvent> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  private readonly config: NexmarkConfig;
  private readonly events: number;

  constructor(options: NexmarkSourceOptions) {
    const { events, ...rest } = options;
    if (!(events >= 0)) throw new RangeError(`NexmarkSource events must be >= 0 (or Infinity), got ${events}`);
    this.events = events;
    this.config = nexmarkConfig(rest);
    this.boundedness = Number.isFinite(events) ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent> {
    const { config, events } = this;
    const splits = IndexSplits.forReader(ctx);
    const emit = (output: SourceOutput<NexmarkEvent>) => (i: number) => {
      const e = nexmarkEvent(i, config);
      output.collectWithTimestamp(e, eventTime(e));
    };
    return {
      pollNext(output: SourceOutput<NexmarkEvent>, maxRecords: number): SourcePoll {
        splits.take(maxRecords, events, emit(output));
        return splits.ended(events) ? 'end' : 'more';
      },
      snapshotState: () => splits.snapshot(),
    };
  }
}

function eventTime(e: NexmarkEvent): number {
  return e.type === 'bid' ? e.bid.dateTime : e.type === 'auction' ? e.auction.dateTime : e.person.dateTime;
}
