import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_NEXMARK_CONFIG, nexmarkConfig, nexmarkTimestamp } from './config.ts';
import { nexmarkEvent, nexmarkEventKind, nexmarkEventTime, nexmarkEvents } from './generator.ts';
import type { Bid, NexmarkEvent } from './model.ts';

const C = DEFAULT_NEXMARK_CONFIG;

function range(first: number, count: number): NexmarkEvent[] {
  const out: NexmarkEvent[] = [];
  nexmarkEvents(first, count, C, out);
  return out;
}

test('every 50 consecutive events hold exactly 1 person, 3 auctions and 46 bids', () => {
  for (const start of [0, 1, 17, 49, 123_456, 9_000_000_013]) {
    const counts = { person: 0, auction: 0, bid: 0 };
    for (const e of range(start, 50)) counts[e.type]++;
    assert.deepEqual(counts, { person: 1, auction: 3, bid: 46 }, `window at ${start}`);
  }
  const shifted = nexmarkConfig({ firstEventId: 7 });
  const counts = { person: 0, auction: 0, bid: 0 };
  for (let i = 0; i < 50; i++) counts[nexmarkEvent(i, shifted).type]++;
  assert.deepEqual(counts, { person: 1, auction: 3, bid: 46 });
});

test('event kinds sit at fixed offsets of each epoch', () => {
  const types = range(0, 6).map((e) => e.type);
  assert.deepEqual(types, ['person', 'auction', 'auction', 'auction', 'bid', 'bid']);
  assert.equal(nexmarkEvent(50, C).type, 'person');
  assert.equal(nexmarkEvent(53, C).type, 'auction');
  assert.equal(nexmarkEvent(54, C).type, 'bid');
  for (let i = 0; i < 200; i++) {
    assert.equal(nexmarkEventKind(i, C), ['person', 'auction', 'bid'].indexOf(nexmarkEvent(i, C).type));
  }
});

test('person and auction ids count up from 1000 with the event number', () => {
  const e0 = nexmarkEvent(0, C);
  assert.equal(e0.type === 'person' && e0.person.id, 1000);
  const ids = [1, 2, 3, 51, 52, 53].map((i) => {
    const e = nexmarkEvent(i, C);
    return e.type === 'auction' ? e.auction.id : -1;
  });
  assert.deepEqual(ids, [1000, 1001, 1002, 1003, 1004, 1005]);
  const p = nexmarkEvent(5_000_000, C);
  assert.equal(p.type === 'person' && p.person.id, 101_000);
  const a = nexmarkEvent(5_000_003, C);
  assert.equal(a.type === 'auction' && a.auction.id, 301_002);
});

test('dateTime is the event timestamp: monotone at the configured rate', () => {
  const slow = nexmarkConfig({ firstEventRate: 1000 }); // one event per millisecond
  let prev = -Infinity;
  for (let i = 0; i < 2000; i++) {
    const e = nexmarkEvent(i, slow);
    const t = nexmarkEventTime(e);
    assert.equal(t, slow.baseTime + i);
    assert.ok(t > prev);
    prev = t;
  }
  const b = nexmarkEvent(10_000_004, C);
  assert.equal(b.type === 'bid' && b.bid.dateTime, C.baseTime + 1000);
});

test('same index, same event; batches equal single calls in any order', () => {
  const a = range(1_000_000, 500);
  const singles: NexmarkEvent[] = [];
  for (let i = 499; i >= 0; i--) singles[i] = nexmarkEvent(1_000_000 + i, C);
  assert.deepEqual(a, singles);
  range(0, 1000); // interleave other work; must not leak state
  assert.deepEqual(range(1_000_000, 500), a);
  // A reused output array is overwritten in place.
  const buf = range(0, 10);
  assert.equal(nexmarkEvents(1_000_000, 5, C, buf), 5);
  assert.deepEqual(buf.slice(0, 5), a.slice(0, 5));
  assert.equal(buf.length, 10);
});

test('ids reference people and auctions that exist, as the reference bounds them', () => {
  // Reference semantics: a random reference picks among the last numActivePeople people /
  // numInFlightAuctions auctions plus a lead of 10 ids not yet created; hot ids are the
  // first (sellers, auctions) or second (bidders) id of the latest batch of 100.
  const n = 300_000;
  let people = 0;
  let auctions = 0;
  let bids = 0;
  let hotAuction = 0;
  let hotBidder = 0;
  let auctionsWithHotSeller = 0;
  for (let i = 0; i < n; i++) {
    const e = nexmarkEvent(i, C);
    if (e.type === 'person') {
      assert.equal(e.person.id, 1000 + people++);
    } else if (e.type === 'auction') {
      assert.equal(e.auction.id, 1000 + auctions++);
      const s = e.auction.seller - 1000;
      const hot = Math.floor((people - 1) / 100) * 100;
      if (s === hot) auctionsWithHotSeller++;
      else assert.ok(s >= Math.max(people - 1000, 0) && s < people + 10, `seller ${s} with ${people} people`);
    } else {
      bids++;
      const a = e.bid.auction - 1000;
      const hotA = Math.floor((auctions - 1) / 100) * 100;
      if (a === hotA) hotAuction++;
      else assert.ok(a >= Math.max(auctions - 1 - 100, 0) && a < auctions + 10, `auction ${a} with ${auctions}`);
      const b = e.bid.bidder - 1000;
      const hotB = Math.floor((people - 1) / 100) * 100 + 1;
      if (b === hotB) hotBidder++;
      else assert.ok(b >= Math.max(people - 1000, 0) && b < people + 10, `bidder ${b} with ${people}`);
    }
  }
  assert.equal(people, n / 50);
  assert.equal(auctions, (3 * n) / 50);
  // hot share = 1 - 1/ratio, plus the random picks that happen to land on the hot id.
  assert.ok(Math.abs(hotAuction / bids - 0.5) < 0.02, `hot auctions ${hotAuction / bids}`);
  assert.ok(Math.abs(hotBidder / bids - 0.75) < 0.02, `hot bidders ${hotBidder / bids}`);
  assert.ok(Math.abs(auctionsWithHotSeller / auctions - 0.75) < 0.03, `hot sellers ${auctionsWithHotSeller / auctions}`);
});

test('field ranges and value distributions follow the reference', () => {
  const n = 200_000;
  let bidBytes = 0;
  let bids = 0;
  let personBytes = 0;
  let persons = 0;
  let auctionBytes = 0;
  let auctions = 0;
  let logPriceSum = 0;
  let hotChannels = 0;
  const categories = new Set<number>();
  for (let i = 0; i < n; i++) {
    const e = nexmarkEvent(i, C);
    if (e.type === 'bid') {
      const b = e.bid;
      assert.ok(Number.isInteger(b.price) && b.price >= 100 && b.price <= 100_000_000);
      logPriceSum += Math.log10(b.price / 100);
      assert.ok(b.extra.length >= 54 && b.extra.length <= 81, `extra ${b.extra.length}`);
      assert.match(b.extra, /^[a-z]+$/);
      bidBytes += 32 + b.extra.length;
      bids++;
      if (!b.channel.startsWith('channel-')) hotChannels++;
      assert.match(b.url, /^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1(&channel_id=-?\d+)?$/);
    } else if (e.type === 'person') {
      const p = e.person;
      assert.match(p.creditCard, /^\d{4} \d{4} \d{4} \d{4}$/);
      assert.match(p.emailAddress, /^[a-z ]*[a-z]@[a-z][a-z ]*\.com$|^[a-z ]*@[a-z ]*\.com$/);
      assert.match(p.name, /^[A-Z][a-z]+ [A-Z][a-z]+$/);
      assert.ok(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'].includes(p.state));
      personBytes += 8 + p.name.length + p.emailAddress.length + p.creditCard.length + p.city.length +
        p.state.length + p.extra.length;
      persons++;
    } else {
      const a = e.auction;
      assert.ok(a.reserve > a.initialBid);
      assert.ok(a.expires > a.dateTime);
      assert.ok(a.itemName.length <= 19 && a.description.length <= 99);
      assert.equal(a.itemName, a.itemName.trim());
      categories.add(a.category);
      auctionBytes += 8 + a.itemName.length + a.description.length + 40 + a.extra.length;
      auctions++;
    }
  }
  assert.deepEqual([...categories].sort(), [10, 11, 12, 13, 14]);
  assert.ok(Math.abs(bidBytes / bids - 100) < 1, `bid bytes ${bidBytes / bids}`);
  assert.ok(Math.abs(personBytes / persons - 200) < 3, `person bytes ${personBytes / persons}`);
  assert.ok(Math.abs(auctionBytes / auctions - 500) < 5, `auction bytes ${auctionBytes / auctions}`);
  // log10(price / 100) is uniform on [0, 6).
  assert.ok(Math.abs(logPriceSum / bids - 3) < 0.05, `mean log price ${logPriceSum / bids}`);
  assert.ok(Math.abs(hotChannels / bids - 0.5) < 0.01, `hot channels ${hotChannels / bids}`);
});

test('auction lengths average the time until 100 more auctions exist', () => {
  const c = nexmarkConfig({ firstEventRate: 1000 }); // 1 ms per event: horizon = 1666 ms
  let sum = 0;
  let count = 0;
  for (let i = 0; i < 200_000; i++) {
    const e = nexmarkEvent(i, c);
    if (e.type !== 'auction') continue;
    const len = e.auction.expires - e.auction.dateTime;
    assert.ok(len >= 1 && len <= 2 * 1666, `length ${len}`);
    sum += len;
    count++;
  }
  assert.ok(Math.abs(sum / count - 1666) < 20, `mean length ${sum / count}`);
  assert.equal(nexmarkTimestamp(1666, c) - c.baseTime, 1666);
});

test('a channel always has the same URL', () => {
  const seen = new Map<string, string>();
  for (let i = 0; i < 100_000; i++) {
    const e = nexmarkEvent(i, C);
    if (e.type !== 'bid') continue;
    const b: Bid = e.bid;
    const prev = seen.get(b.channel);
    if (prev !== undefined) assert.equal(b.url, prev);
    else seen.set(b.channel, b.url);
  }
  assert.ok(seen.has('Google') && seen.has('Facebook') && seen.has('Baidu') && seen.has('Apple'));
  assert.ok(seen.size > 4000);
});
