// Event number -> Nexmark event, after Flink nexmark's NexmarkGenerator and its
// Person/Auction/BidGenerator. Pure in the event number: any subtask can generate any
// slice of the one global stream, and the same index always gives the same event.
import type { Auction, Bid, NexmarkEvent, Person } from './model.ts';
import type { NexmarkConfig } from './config.ts';
import {
  AUCTION_ID_LEAD, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_BATCH, NUM_CATEGORIES,
  PERSON_ID_LEAD, nexmarkTimestamp,
} from './config.ts';
import { nextExtra, nextI32, nextInt, nextPrice, nextString, seed } from './random.ts';
import { CITIES, STATES, channelUrl, creditCard, HOT_CHANNELS, HOT_URLS, channelName, personName } from './strings.ts';

const CHANNELS_NUMBER = 10_000;

/** The event with number `index` (0-based) of the stream `config` describes. */
export function nexmarkEvent(index: number, config: NexmarkConfig): NexmarkEvent {
  const eventId = config.firstEventId + index;
  const timestamp = nexmarkTimestamp(index, config);
  seed(eventId);
  // lastBase0PersonId / lastBase0AuctionId inlined, sharing one division.
  const pp = config.personProportion;
  const ap = config.auctionProportion;
  const epoch = Math.floor(eventId / config.totalProportion);
  const rem = eventId - epoch * config.totalProportion;
  if (rem < pp) {
    const lastPerson = epoch * pp + rem;
    return { type: 'person', person: nextPerson(lastPerson, timestamp, config), auction: null, bid: null };
  }
  const lastPerson = epoch * pp + pp - 1;
  if (rem < pp + ap) {
    const lastAuction = epoch * ap + rem - pp;
    return { type: 'auction', person: null, auction: nextAuction(index, lastPerson, lastAuction, timestamp, config), bid: null };
  }
  const lastAuction = epoch * ap + ap - 1;
  return { type: 'bid', person: null, auction: null, bid: nextBid(lastPerson, lastAuction, timestamp, config) };
}

/**
 * Batch form: writes events firstIndex .. firstIndex+count-1 into out[0 .. count-1]
 * (growing `out` if needed, never shrinking it) and returns count. Reuse `out`.
 */
export function nexmarkEvents(firstIndex: number, count: number, config: NexmarkConfig, out: NexmarkEvent[]): number {
  for (let i = 0; i < count; i++) out[i] = nexmarkEvent(firstIndex + i, config);
  return count;
}

/** Kind of event number `index` without generating it: 0 person, 1 auction, 2 bid. */
export function nexmarkEventKind(index: number, config: NexmarkConfig): 0 | 1 | 2 {
  const rem = (config.firstEventId + index) % config.totalProportion;
  if (rem < config.personProportion) return 0;
  return rem < config.personProportion + config.auctionProportion ? 1 : 2;
}

/** PersonGenerator.nextBase0PersonId: a random active person, up to PERSON_ID_LEAD ahead. */
function nextBase0PersonId(lastPerson: number, config: NexmarkConfig): number {
  const numPeople = lastPerson + 1;
  const activePeople = Math.min(numPeople, config.numActivePeople);
  return numPeople - activePeople + nextInt(activePeople + PERSON_ID_LEAD);
}

/** AuctionGenerator.nextBase0AuctionId: a random in-flight auction, up to AUCTION_ID_LEAD ahead. */
function nextBase0AuctionId(maxAuction: number, config: NexmarkConfig): number {
  const minAuction = Math.max(maxAuction - config.numInFlightAuctions, 0);
  return minAuction + nextInt(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
}

function nextPerson(lastPerson: number, timestamp: number, config: NexmarkConfig): Person {
  const id = lastPerson + FIRST_PERSON_ID;
  const name = personName(nextInt(PERSON_NAME_COUNT));
  const emailAddress = nextString(7) + '@' + nextString(5) + '.com';
  const card = creditCard(nextInt(10000), nextInt(10000), nextInt(10000), nextInt(10000));
  const city = CITIES[nextInt(CITIES.length)];
  const state = STATES[nextInt(STATES.length)];
  const size = 8 + name.length + emailAddress.length + card.length + city.length + state.length;
  const extra = nextExtra(size, config.avgPersonByteSize);
  return { id, name, emailAddress, creditCard: card, city, state, dateTime: timestamp, extra };
}
const PERSON_NAME_COUNT = 11 * 9;

function nextAuction(
  index: number, lastPerson: number, lastAuction: number, timestamp: number, config: NexmarkConfig,
): Auction {
  const id = lastAuction + FIRST_AUCTION_ID;
  // P(hot seller) = 1 - 1/hotSellersRatio; the hot seller is the first of the last batch of 100 people.
  const seller = (nextInt(config.hotSellersRatio) > 0
    ? Math.floor(lastPerson / HOT_BATCH) * HOT_BATCH
    : nextBase0PersonId(lastPerson, config)) + FIRST_PERSON_ID;
  const category = FIRST_CATEGORY_ID + nextInt(NUM_CATEGORIES);
  const initialBid = nextPrice();
  // Lengths average the time until numInFlightAuctions more auctions exist (nextAuctionLengthMs).
  const horizonMs = nexmarkTimestamp(index + config.numEventsForAuctions, config) - timestamp;
  const expires = timestamp + 1 + nextInt(Math.max(horizonMs * 2, 1));
  const itemName = nextString(20);
  const description = nextString(100);
  const reserve = initialBid + nextPrice();
  const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  const extra = nextExtra(size, config.avgAuctionByteSize);
  return { id, itemName, description, initialBid, reserve, dateTime: timestamp, expires, seller, category, extra };
}

function nextBid(lastPerson: number, lastAuction: number, timestamp: number, config: NexmarkConfig): Bid {
  // P(hot auction) = 1 - 1/hotAuctionRatio; the hot auction is the first of the last batch of 100.
  const auction = (nextInt(config.hotAuctionRatio) > 0
    ? Math.floor(lastAuction / HOT_BATCH) * HOT_BATCH
    : nextBase0AuctionId(lastAuction, config)) + FIRST_AUCTION_ID;
  // Hot bidders are the second person of the batch, so they never collide with hot sellers.
  const bidder = (nextInt(config.hotBiddersRatio) > 0
    ? Math.floor(lastPerson / HOT_BATCH) * HOT_BATCH + 1
    : nextBase0PersonId(lastPerson, config)) + FIRST_PERSON_ID;
  const price = nextPrice();
  // The channel choices have fixed sizes (2, 4, 10000), so one draw serves all three:
  // the low bit picks hot or not, the high bits pick which.
  const c = nextI32() >>> 0;
  let channel: string;
  let url: string;
  if ((c & 1) !== 0) {
    const i = c >>> 30;
    channel = HOT_CHANNELS[i];
    url = HOT_URLS[i];
  } else {
    const n = Math.floor(c * (CHANNELS_NUMBER * 2.3283064365386963e-10));
    channel = channelName(n);
    url = channelUrl(n);
  }
  const extra = nextExtra(8 + 8 + 8 + 8, config.avgBidByteSize);
  return { auction, bidder, price, channel, url, dateTime: timestamp, extra };
}

/** The event's dateTime: its event timestamp (ready-made for a timestamp assigner). */
export function nexmarkEventTime(e: NexmarkEvent): number {
  return e.type === 'bid' ? e.bid.dateTime : e.type === 'auction' ? e.auction.dateTime : e.person.dateTime;
}
