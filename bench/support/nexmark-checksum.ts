/**
 * The one way Nexmark outputs are counted and checksummed, by the runtime's sink and by
 * the hand-written loops alike: QuerySink.emit(row, hash(row)) with the query's row hash
 * from src/connectors/nexmark/query-sink.ts. The checksum is the sum of row hashes mod
 * 2^32, so it depends neither on the order rows arrive in nor on the parallelism, and
 * both sides do the same work per output row.
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../../src/api/index.ts';
import { hashBid, hashQ1Row, hashQ2Row, hashQ5Row } from '../../src/connectors/nexmark/index.ts';
import type { NexmarkQueryName, QueryRows } from '../../src/connectors/nexmark/index.ts';

/** The row hash of each query's output (q0 and q7 output bids). */
export const ROW_HASH: { readonly [Q in NexmarkQueryName]: (row: QueryRows[Q]) => number } = {
  q0: hashBid,
  q1: hashQ1Row,
  q2: hashQ2Row,
  q5: hashQ5Row,
  q7: hashBid,
};

/** Where rows are counted: a QuerySink (src/connectors/nexmark/query-sink.ts). */
export interface RowCounter<T> {
  emit(row: T, hash: number): void;
}

/** A runtime sink that folds every row it receives into a QuerySink, as the loops do. */
export class ChecksumSink<T> implements Sink<T> {
  constructor(
    private readonly rows: RowCounter<T>,
    private readonly hash: (row: T) => number,
  ) {}

  createWriter(): SinkWriter<T> {
    const { rows, hash } = this;
    return {
      write(values: readonly T[]): void {
        for (let i = 0; i < values.length; i++) rows.emit(values[i]!, hash(values[i]!));
      },
    };
  }
}

export interface QueryOutput {
  count: number;
  checksum: number;
}

export function sameOutput(a: QueryOutput, b: QueryOutput): boolean {
  return a.count === b.count && a.checksum === b.checksum;
}

export function describeOutput(o: QueryOutput): string {
  return `${o.count} row${o.count === 1 ? '' : 's'}, checksum ${o.checksum}`;
}

/** The name under which ResultChecksumSink's writers report in the job result. */
export const NEXMARK_OUTPUT = 'nexmark-output';

/**
 * The same count and checksum for a job that runs in other processes: each writer folds
 * its rows and hands its QueryOutput to the job result when it closes; the sum of the
 * parts is the whole (the checksum is a sum mod 2^32).
 */
export class ResultChecksumSink<T> implements Sink<T> {
  constructor(private readonly hash: (row: T) => number) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const { hash } = this;
    const part: QueryOutput = { count: 0, checksum: 0 };
    return {
      write(values: readonly T[]): void {
        for (let i = 0; i < values.length; i++) {
          part.count++;
          part.checksum = (part.checksum + hash(values[i]!)) >>> 0;
        }
      },
      close() {
        ctx.addToResult(NEXMARK_OUTPUT, [part]);
      },
    };
  }
}

export function sumOutputs(parts: readonly QueryOutput[]): QueryOutput {
  return parts.reduce((a, p) => ({ count: a.count + p.count, checksum: (a.checksum + p.checksum) >>> 0 }), { count: 0, checksum: 0 });
}
