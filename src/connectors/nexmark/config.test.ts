import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_TIME, DEFAULT_NEXMARK_CONFIG, lastBase0AuctionId, lastBase0PersonId, nexmarkConfig, nexmarkTimestamp,
} from './config.ts';

test('defaults follow Flink nexmark', () => {
  const c = DEFAULT_NEXMARK_CONFIG;
  assert.equal(c.personProportion, 1);
  assert.equal(c.auctionProportion, 3);
  assert.equal(c.bidProportion, 46);
  assert.equal(c.totalProportion, 50);
  assert.equal(c.avgPersonByteSize, 200);
  assert.equal(c.avgAuctionByteSize, 500);
  assert.equal(c.avgBidByteSize, 100);
  assert.equal(c.hotAuctionRatio, 2);
  assert.equal(c.hotSellersRatio, 4);
  assert.equal(c.hotBiddersRatio, 4);
  assert.equal(c.numActivePeople, 1000);
  assert.equal(c.numInFlightAuctions, 100);
  assert.equal(c.firstEventRate, 10_000_000);
  assert.equal(c.interEventDelayUs, 0.1);
  assert.equal(c.numEventsForAuctions, 1666);
  assert.equal(c.baseTime, 1436918400000);
  assert.equal(BASE_TIME, Date.parse('2015-07-15T00:00:00.000Z'));
});

test('timestamps advance by the inter-event delay, truncated like Java longs', () => {
  const c = DEFAULT_NEXMARK_CONFIG; // 10M events/s: 10,000 events per millisecond
  assert.equal(nexmarkTimestamp(0, c), BASE_TIME);
  assert.equal(nexmarkTimestamp(9_999, c), BASE_TIME);
  assert.equal(nexmarkTimestamp(10_000, c), BASE_TIME + 1);
  assert.equal(nexmarkTimestamp(10_000_000, c), BASE_TIME + 1000);
  const slow = nexmarkConfig({ firstEventRate: 1000, baseTime: 0 });
  assert.equal(nexmarkTimestamp(0, slow), 0);
  assert.equal(nexmarkTimestamp(1, slow), 1);
  assert.equal(nexmarkTimestamp(12345, slow), 12345);
  const third = nexmarkConfig({ firstEventRate: 3, baseTime: 0 }); // 333333.33us apart
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => nexmarkTimestamp(i, third)), [0, 333, 666, 1000, 1333]);
});

test('timestamps are monotone and average the configured rate', () => {
  const c = nexmarkConfig({ firstEventRate: 7_000_000 });
  let prev = nexmarkTimestamp(0, c);
  for (let i = 1; i < 100_000; i++) {
    const t = nexmarkTimestamp(i, c);
    assert.ok(t >= prev);
    prev = t;
  }
  assert.equal(nexmarkTimestamp(7_000_000, c) - c.baseTime, 1000);
});

test('last person/auction ids follow the 1:3:46 layout of each 50-event epoch', () => {
  const c = DEFAULT_NEXMARK_CONFIG;
  // epoch 0: event 0 person 0, events 1-3 auctions 0-2, events 4-49 bids.
  assert.equal(lastBase0PersonId(0, c), 0);
  assert.equal(lastBase0AuctionId(0, c), -1);
  assert.equal(lastBase0AuctionId(1, c), 0);
  assert.equal(lastBase0AuctionId(3, c), 2);
  assert.equal(lastBase0AuctionId(4, c), 2);
  assert.equal(lastBase0AuctionId(49, c), 2);
  assert.equal(lastBase0PersonId(49, c), 0);
  assert.equal(lastBase0PersonId(50, c), 1);
  assert.equal(lastBase0AuctionId(50, c), 2);
  assert.equal(lastBase0AuctionId(51, c), 3);
  assert.equal(lastBase0PersonId(5_000_037, c), 100_000);
  assert.equal(lastBase0AuctionId(5_000_037, c), 300_002);
});

test('invalid options fail with the option name', () => {
  assert.throws(() => nexmarkConfig({ firstEventRate: 0 }), /firstEventRate/);
  assert.throws(() => nexmarkConfig({ bidProportion: 0 }), /bidProportion/);
  assert.throws(() => nexmarkConfig({ hotAuctionRatio: 1.5 }), /hotAuctionRatio/);
  assert.throws(() => nexmarkConfig({ numActivePeople: -1 }), /numActivePeople/);
  assert.equal(nexmarkConfig({ bidProportion: 9 }).totalProportion, 13);
});
