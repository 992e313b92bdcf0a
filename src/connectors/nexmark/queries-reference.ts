// Hand-written reference implementations of Nexmark q0, q1, q2, q5 and q7 (Flink
// nexmark's SQL variants) as plain loops over event batches. They give the expected
// results that runtime tests compare against, and the baseline of the benchmark.
import type { Bid, NexmarkEvent } from './model.ts';
import { QuerySink, hashBid, hashQ1Row, hashQ2Row } from './query-sink.ts';
import type { Q1Row, Q2Row, Q5Row } from './query-sink.ts';
import { Q5HotItems, Q7HighestBid } from './queries-windowed.ts';

export { QuerySink, hashBid, hashQ1Row, hashQ2Row, hashQ5Row, mixHash, finishHash } from './query-sink.ts';
export type { Q1Row, Q2Row, Q5Row } from './query-sink.ts';
export { Q5HotItems, Q7HighestBid } from './queries-windowed.ts';

/** Dollars to euros, as in Flink nexmark q1. */
export const DOLLAR_TO_EURO = 0.908;
/** q2 keeps bids whose auction id is a multiple of this (Flink nexmark q2). */
export const Q2_AUCTION_MODULUS = 123;

/** q0 pass-through: every bid, unchanged (Flink q0 selects the bid columns). */
export class Q0PassThrough {
  constructor(readonly sink: QuerySink<Bid>) {}
  process(events: readonly NexmarkEvent[], count: number): void {
    const sink = this.sink;
    for (let i = 0; i < count; i++) {
      const e = events[i];
      if (e.type === 'bid') sink.emit(e.bid, hashBid(e.bid));
    }
  }
  finish(): void {}
}

/** q1 currency conversion: each bid with price * 0.908. */
export class Q1CurrencyConversion {
  constructor(readonly sink: QuerySink<Q1Row>) {}
  process(events: readonly NexmarkEvent[], count: number): void {
    const sink = this.sink;
    for (let i = 0; i < count; i++) {
      const e = events[i];
      if (e.type !== 'bid') continue;
      const b = e.bid;
      const row: Q1Row = {
        auction: b.auction, bidder: b.bidder, price: b.price * DOLLAR_TO_EURO, dateTime: b.dateTime, extra: b.extra,
      };
      sink.emit(row, hashQ1Row(row));
    }
  }
  finish(): void {}
}

/** q2 selection: (auction, price) of bids with auction % 123 === 0. */
export class Q2Selection {
  constructor(readonly sink: QuerySink<Q2Row>) {}
  process(events: readonly NexmarkEvent[], count: number): void {
    const sink = this.sink;
    for (let i = 0; i < count; i++) {
      const e = events[i];
      if (e.type !== 'bid' || e.bid.auction % Q2_AUCTION_MODULUS !== 0) continue;
      const row: Q2Row = { auction: e.bid.auction, price: e.bid.price };
      sink.emit(row, hashQ2Row(row));
    }
  }
  finish(): void {}
}

/** Output row type of each query. */
export interface QueryRows {
  q0: Bid;
  q1: Q1Row;
  q2: Q2Row;
  q5: Q5Row;
  q7: Bid;
}
export type NexmarkQueryName = keyof QueryRows;
export const NEXMARK_QUERIES: readonly NexmarkQueryName[] = ['q0', 'q1', 'q2', 'q5', 'q7'];

export interface ReferenceQuery<T> {
  readonly sink: QuerySink<T>;
  /** Consumes events[0 .. count-1]. */
  process(events: readonly NexmarkEvent[], count: number): void;
  /** End of input: fires every remaining window. */
  finish(): void;
}

const FACTORIES: { [K in NexmarkQueryName]: (collect: boolean) => ReferenceQuery<QueryRows[K]> } = {
  q0: (collect) => new Q0PassThrough(new QuerySink<Bid>(collect)),
  q1: (collect) => new Q1CurrencyConversion(new QuerySink<Q1Row>(collect)),
  q2: (collect) => new Q2Selection(new QuerySink<Q2Row>(collect)),
  q5: (collect) => new Q5HotItems(new QuerySink<Q5Row>(collect)),
  q7: (collect) => new Q7HighestBid(new QuerySink<Bid>(collect)),
};

/** A fresh reference query; `collect` keeps the output rows in sink.rows. */
export function createReferenceQuery<Q extends NexmarkQueryName>(query: Q, collect = false): ReferenceQuery<QueryRows[Q]> {
  if (!Object.hasOwn(FACTORIES, query)) throw new RangeError(`unknown Nexmark query ${String(query)}`);
  return FACTORIES[query](collect);
}

/** Runs a query over a complete event list and returns its sink, rows collected. */
export function runReferenceQuery<Q extends NexmarkQueryName>(query: Q, events: readonly NexmarkEvent[]): QuerySink<QueryRows[Q]> {
  const q = createReferenceQuery(query, true);
  q.process(events, events.length);
  q.finish();
  return q.sink;
}
