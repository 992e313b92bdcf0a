// Generator parameters (Flink nexmark's NexmarkConfiguration + GeneratorConfig) and the
// pure id/time arithmetic that relates an event number to ids and timestamps.

/** Options a job may override; names and defaults follow Flink's NexmarkConfiguration. */
export interface NexmarkOptions {
  /** Events per second of event time over the whole stream (all subtasks together). */
  firstEventRate?: number;
  /** Event time of event 0, epoch ms. Default: Beam/Flink nexmark BASE_TIME 2015-07-15T00:00:00Z. */
  baseTime?: number;
  /** Added to the event number to form the event id that seeds and places each event. */
  firstEventId?: number;
  personProportion?: number;
  auctionProportion?: number;
  bidProportion?: number;
  avgPersonByteSize?: number;
  avgAuctionByteSize?: number;
  avgBidByteSize?: number;
  hotAuctionRatio?: number;
  hotSellersRatio?: number;
  hotBiddersRatio?: number;
  numActivePeople?: number;
  numInFlightAuctions?: number;
}

/** A validated configuration with its derived values; build it with nexmarkConfig(). */
export interface NexmarkConfig extends Readonly<Required<NexmarkOptions>> {
  readonly totalProportion: number;
  /** Microseconds of event time between consecutive events. */
  readonly interEventDelayUs: number;
  /** Events until numInFlightAuctions more auctions exist (sets auction lengths). */
  readonly numEventsForAuctions: number;
}

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Ids this far past the last created person/auction may be referenced (reference's *_ID_LEAD). */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;
/** Hot sellers/bidders/auctions are the first of each batch of this many (reference constant). */
export const HOT_BATCH = 100;
export const BASE_TIME = Date.UTC(2015, 6, 15);

export const DEFAULT_NEXMARK_OPTIONS: Readonly<Required<NexmarkOptions>> = Object.freeze({
  // Flink's nexmark suite drives the source at 10M events/s (nexmark.yaml TPS); the
  // Java class default is 10000. 10M keeps 10s windows realistic for benchmark runs.
  firstEventRate: 10_000_000,
  baseTime: BASE_TIME,
  firstEventId: 0,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
});

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new RangeError(`nexmark: ${name} must be an integer >= ${min}, got ${String(v)}`);
  }
}

export function nexmarkConfig(options: NexmarkOptions = {}): NexmarkConfig {
  const o: Required<NexmarkOptions> = { ...DEFAULT_NEXMARK_OPTIONS };
  for (const k of Object.keys(options) as (keyof NexmarkOptions)[]) {
    const v = options[k];
    if (v !== undefined) o[k] = v;
  }
  if (!(o.firstEventRate > 0) || !Number.isFinite(o.firstEventRate)) {
    throw new RangeError(`nexmark: firstEventRate must be a positive number, got ${String(o.firstEventRate)}`);
  }
  checkInt('baseTime', o.baseTime, 0);
  checkInt('firstEventId', o.firstEventId, 0);
  checkInt('personProportion', o.personProportion, 1);
  checkInt('auctionProportion', o.auctionProportion, 1);
  checkInt('bidProportion', o.bidProportion, 1);
  checkInt('avgPersonByteSize', o.avgPersonByteSize, 0);
  checkInt('avgAuctionByteSize', o.avgAuctionByteSize, 0);
  checkInt('avgBidByteSize', o.avgBidByteSize, 0);
  checkInt('hotAuctionRatio', o.hotAuctionRatio, 1);
  checkInt('hotSellersRatio', o.hotSellersRatio, 1);
  checkInt('hotBiddersRatio', o.hotBiddersRatio, 1);
  checkInt('numActivePeople', o.numActivePeople, 1);
  checkInt('numInFlightAuctions', o.numInFlightAuctions, 1);
  const totalProportion = o.personProportion + o.auctionProportion + o.bidProportion;
  return Object.freeze({
    ...o,
    totalProportion,
    interEventDelayUs: 1_000_000 / o.firstEventRate,
    numEventsForAuctions: Math.floor((o.numInFlightAuctions * totalProportion) / o.auctionProportion),
  });
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = nexmarkConfig();

/** Event time of event number `index` (GeneratorConfig.timestampForEvent, truncating like Java longs). */
export function nexmarkTimestamp(index: number, config: NexmarkConfig): number {
  return config.baseTime + Math.floor(Math.floor(index * config.interEventDelayUs) / 1000);
}

/** Last person id (base 0) created at or before event id `eventId` (PersonGenerator.lastBase0PersonId). */
export function lastBase0PersonId(eventId: number, config: NexmarkConfig): number {
  const epoch = Math.floor(eventId / config.totalProportion);
  let offset = eventId - epoch * config.totalProportion;
  if (offset >= config.personProportion) offset = config.personProportion - 1;
  return epoch * config.personProportion + offset;
}

/** Last auction id (base 0) created at or before event id `eventId`; -1 before the first. */
export function lastBase0AuctionId(eventId: number, config: NexmarkConfig): number {
  let epoch = Math.floor(eventId / config.totalProportion);
  let offset = eventId - epoch * config.totalProportion;
  if (offset < config.personProportion) {
    epoch--;
    offset = config.auctionProportion - 1;
  } else if (offset >= config.personProportion + config.auctionProportion) {
    offset = config.auctionProportion - 1;
  } else {
    offset -= config.personProportion;
  }
  return epoch * config.auctionProportion + offset;
}
