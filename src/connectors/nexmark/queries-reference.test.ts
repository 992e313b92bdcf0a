import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nexmarkConfig } from './config.ts';
import { nexmarkEvents } from './generator.ts';
import type { Bid, NexmarkEvent } from './model.ts';
import { QuerySink, Q5HotItems, createReferenceQuery, hashBid, runReferenceQuery } from './queries-reference.ts';
import type { Q5Row } from './queries-reference.ts';

function mkBid(auction: number, price: number, dateTime: number): Bid {
  return { auction, bidder: 1, price, channel: 'c', url: 'u', dateTime, extra: '' };
}
function bid(auction: number, price: number, dateTime: number): NexmarkEvent {
  return { type: 'bid', person: null, auction: null, bid: mkBid(auction, price, dateTime) };
}
const q5rows = (rows: readonly Q5Row[] | null) => (rows ?? []).map((r) => [r.windowStart, r.windowEnd, r.auction, r.count]);

test('q5: max-count auctions per 10s window sliding by 2s, ties, late and out-of-order bids', () => {
  const events = [
    bid(1, 0, 0), bid(2, 0, 1000), bid(2, 0, 2500), bid(1, 0, 3000), bid(1, 0, 3500),
    bid(3, 0, 11_000), // fires windows ending 2000 .. 10000
    bid(9, 0, 1500), // pane [0, 2000): every window holding it has fired -> late, dropped
    bid(5, 0, 9000), // pane [8000, 10000): counts for windows ending 12000 .. 18000 only
  ];
  const sink = runReferenceQuery('q5', events);
  assert.deepEqual(q5rows(sink.rows), [
    [-8000, 2000, 1, 1], [-8000, 2000, 2, 1],
    [-6000, 4000, 1, 3],
    [-4000, 6000, 1, 3],
    [-2000, 8000, 1, 3],
    [0, 10_000, 1, 3],
    [2000, 12_000, 1, 2],
    [4000, 14_000, 5, 1], [4000, 14_000, 3, 1],
    [6000, 16_000, 5, 1], [6000, 16_000, 3, 1],
    [8000, 18_000, 5, 1], [8000, 18_000, 3, 1],
    [10_000, 20_000, 3, 1],
  ]);
  assert.equal(sink.count, 14);
});

test('q5: windows fire only once event time reaches their end; empty gaps emit nothing', () => {
  const q = new Q5HotItems(new QuerySink<Q5Row>(true));
  q.onBid(mkBid(1, 0, 0));
  q.onBid(mkBid(1, 0, 1999));
  assert.equal(q.sink.count, 0);
  q.onBid(mkBid(2, 0, 2000)); // reaches end of [-8000, 2000)
  assert.deepEqual(q5rows(q.sink.rows), [[-8000, 2000, 1, 2]]);
  q.onBid(mkBid(7, 0, 100_000));
  q.finish();
  const ends = (q.sink.rows ?? []).map((r) => r.windowEnd);
  assert.deepEqual(ends, [2000, 4000, 6000, 8000, 10_000, 12_000, 102_000, 104_000, 106_000, 108_000, 110_000]);
  assert.deepEqual(q5rows(q.sink.rows).slice(1, 6).map((r) => [r[2], r[3]]), [[1, 2], [1, 2], [1, 2], [1, 2], [2, 1]]);
});

test('q7: highest bid(s) per 10s tumbling window', () => {
  const events = [
    bid(1, 5, 0), bid(2, 9, 4000), bid(3, 9, 9999), // tie at the max
    bid(4, 3, 10_000), // fires [0, 10000)
    bid(6, 100, 5000), // late for the fired window: dropped
    bid(5, 7, 25_000), // fires [10000, 20000)
  ];
  const sink = runReferenceQuery('q7', events);
  assert.deepEqual((sink.rows ?? []).map((b) => [b.auction, b.price, b.dateTime]), [
    [2, 9, 4000], [3, 9, 9999], [4, 3, 10_000], [5, 7, 25_000],
  ]);
});

test('q0, q1 and q2 on a generated stream', () => {
  const cfg = nexmarkConfig();
  const events: NexmarkEvent[] = [];
  nexmarkEvents(0, 5000, cfg, events);
  const bids = events.flatMap((e) => (e.type === 'bid' ? [e.bid] : []));
  assert.equal(bids.length, 4600);
  const q0 = runReferenceQuery('q0', events);
  assert.deepEqual(q0.rows, bids);
  const q1 = runReferenceQuery('q1', events);
  assert.equal(q1.count, 4600);
  const b0 = bids[0];
  assert.deepEqual(q1.rows?.[0], { auction: b0.auction, bidder: b0.bidder, price: b0.price * 0.908, dateTime: b0.dateTime, extra: b0.extra });
  const q2 = runReferenceQuery('q2', events);
  const expected = bids.filter((b) => b.auction % 123 === 0).map((b) => ({ auction: b.auction, price: b.price }));
  assert.ok(expected.length > 0);
  assert.deepEqual(q2.rows, expected);
});

test('checksums ignore row order and batch boundaries', () => {
  const cfg = nexmarkConfig({ firstEventRate: 20_000 });
  const all: NexmarkEvent[] = [];
  nexmarkEvents(0, 100_000, cfg, all);
  for (const name of ['q0', 'q1', 'q2', 'q5', 'q7'] as const) {
    const whole = runReferenceQuery(name, all);
    const q = createReferenceQuery(name);
    const buf: NexmarkEvent[] = [];
    for (let i = 0; i < all.length; i += 777) q.process(buf, nexmarkEvents(i, Math.min(777, all.length - i), cfg, buf));
    q.finish();
    assert.equal(q.sink.count, whole.count, name);
    assert.equal(q.sink.checksum, whole.checksum, name);
    assert.equal(q.sink.rows, null);
  }
  const q0 = runReferenceQuery('q0', all);
  let sum = 0;
  for (const b of [...(q0.rows ?? [])].reverse()) sum = (sum + hashBid(b)) >>> 0;
  assert.equal(sum, q0.checksum);
});

test('q5 and q7 agree with brute-force window scans on a generated stream', () => {
  const cfg = nexmarkConfig({ firstEventRate: 10_000, baseTime: 1_000_001 }); // ~20 s of event time
  const events: NexmarkEvent[] = [];
  nexmarkEvents(0, 200_000, cfg, events);
  const bids = events.flatMap((e) => (e.type === 'bid' ? [e.bid] : []));
  const t0 = bids[0].dateTime;
  const t1 = bids[bids.length - 1].dateTime;
  const q5expected: number[][] = [];
  for (let end = Math.floor(t0 / 2000) * 2000 + 2000; end - 10_000 <= t1; end += 2000) {
    const counts = new Map<number, number>();
    for (const b of bids) if (b.dateTime >= end - 10_000 && b.dateTime < end) counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
    const max = Math.max(...counts.values());
    for (const [a, n] of [...counts].sort((x, y) => x[0] - y[0])) if (n === max) q5expected.push([end - 10_000, end, a, n]);
  }
  const q5 = q5rows(runReferenceQuery('q5', events).rows).sort((x, y) => x[1] - y[1] || x[2] - y[2]);
  assert.deepEqual(q5, q5expected);
  assert.ok(q5.length >= 14);
  const q7expected: Bid[] = [];
  for (let start = Math.floor(t0 / 10_000) * 10_000; start <= t1; start += 10_000) {
    const inWindow = bids.filter((b) => b.dateTime >= start && b.dateTime < start + 10_000);
    const max = Math.max(...inWindow.map((b) => b.price));
    q7expected.push(...inWindow.filter((b) => b.price === max));
  }
  assert.deepEqual(runReferenceQuery('q7', events).rows, q7expected);
  assert.equal(q7expected.length, 3);
});
