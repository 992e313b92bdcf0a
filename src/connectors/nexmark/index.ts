// Nexmark benchmark data: a deterministic Person/Auction/Bid generator (1:3:46) and
// plain-loop reference implementations of queries q0, q1, q2, q5 and q7.
export type { Auction, Bid, NexmarkEvent, NexmarkEventType, Person } from './model.ts';
export type { NexmarkConfig, NexmarkOptions } from './config.ts';
export {
  DEFAULT_NEXMARK_CONFIG, DEFAULT_NEXMARK_OPTIONS, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID,
  lastBase0AuctionId, lastBase0PersonId, nexmarkConfig, nexmarkTimestamp,
} from './config.ts';
export { nexmarkEvent, nexmarkEventKind, nexmarkEventTime, nexmarkEvents } from './generator.ts';
export {
  DOLLAR_TO_EURO, NEXMARK_QUERIES, Q0PassThrough, Q1CurrencyConversion, Q2Selection, Q2_AUCTION_MODULUS, Q5HotItems,
  Q7HighestBid, QuerySink, createReferenceQuery, finishHash, hashBid, hashQ1Row, hashQ2Row, hashQ5Row, mixHash,
  runReferenceQuery,
} from './queries-reference.ts';
export type { NexmarkQueryName, Q1Row, Q2Row, Q5Row, QueryRows, ReferenceQuery } from './queries-reference.ts';
