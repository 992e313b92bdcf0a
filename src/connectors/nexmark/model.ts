// Nexmark record types, field for field as in Flink's nexmark (com.github.nexmark.flink.model).
// Timestamps are epoch milliseconds as plain numbers; ids and prices are integers
// well below 2^53, so number is exact.

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

/**
 * One generated event. Every event object carries all four keys, in the same order,
 * with the two unused payloads set to null: all events then share one V8 hidden
 * class, so `e.type` / `e.bid` stay monomorphic property loads on the hot path
 * (a `{type, bid}` vs `{type, person}` union would make them polymorphic).
 * Narrow on `type` as usual: `if (e.type === 'bid') e.bid.price`.
 */
export type NexmarkEvent =
  | { type: 'person'; person: Person; auction: null; bid: null }
  | { type: 'auction'; person: null; auction: Auction; bid: null }
  | { type: 'bid'; person: null; auction: null; bid: Bid };

export type NexmarkEventType = NexmarkEvent['type'];
