// Where reference query results go: a count, an order-independent checksum (so any
// runtime, at any parallelism, can be compared by summing the same row hashes), and
// optionally the rows themselves for tests.
import type { Bid } from './model.ts';

export class QuerySink<T> {
  count = 0;
  /** Sum of row hashes mod 2^32: independent of emission order and of parallelism. */
  checksum = 0;
  /** The rows, when collecting (tests); null on benchmark runs. */
  readonly rows: T[] | null;

  constructor(collect = false) {
    this.rows = collect ? [] : null;
  }

  emit(row: T, hash: number): void {
    this.count++;
    this.checksum = (this.checksum + hash) >>> 0;
    if (this.rows !== null) this.rows.push(row);
  }
}

/** Folds a non-negative safe integer (or its int32 part for negatives) into a murmur3-style hash. */
export function mixHash(h: number, x: number): number {
  h = Math.imul(h ^ (x | 0), 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h ^ ((x / 4294967296) | 0), 0x1b873593);
  return (h << 13) | (h >>> 19);
}

export function finishHash(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Row hash of a bid (q0 rows, q7 rows): auction, bidder, price, dateTime. */
export function hashBid(b: Bid): number {
  return finishHash(mixHash(mixHash(mixHash(mixHash(0x0b1d, b.auction), b.bidder), b.price), b.dateTime));
}

/** q1 output: the bid with its price converted to euros (Flink q1: 0.908 * price). */
export interface Q1Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

/** Euro prices are compared at 3 decimals, the scale of Flink q1's DECIMAL result. */
export function hashQ1Row(r: Q1Row): number {
  const milli = Math.round(r.price * 1000);
  return finishHash(mixHash(mixHash(mixHash(mixHash(0x0001, r.auction), r.bidder), milli), r.dateTime));
}

/** q2 output (Flink q2): auction and price of bids whose auction id is a multiple of 123. */
export interface Q2Row {
  auction: number;
  price: number;
}

export function hashQ2Row(r: Q2Row): number {
  return finishHash(mixHash(mixHash(0x0002, r.auction), r.price));
}

/** q5 output: an auction with the most bids in a sliding window, and that count. */
export interface Q5Row {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}

export function hashQ5Row(r: Q5Row): number {
  return finishHash(mixHash(mixHash(mixHash(0x0005, r.windowEnd), r.auction), r.count));
}
