import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram, MAX_TRACKABLE_US, bucketHighest, bucketIndex, describeLatency } from '../../bench/support/latency-histogram.ts';

test('values below 256 us have a bucket each', () => {
  for (let v = 0; v < 256; v++) {
    assert.equal(bucketIndex(v), v);
    assert.equal(bucketHighest(v), v);
  }
  const h = new LatencyHistogram();
  for (let v = 0; v < 256; v++) h.record(v);
  assert.equal(h.valueAtPercentile(50), 127);
  assert.equal(h.valueAtPercentile(0), 0);
  assert.equal(h.valueAtPercentile(100), 255);
});

test('a bucket holds its value and is at most 1/128 of it wide', () => {
  const values: number[] = [];
  for (let p = 8; p < 40; p++) values.push(2 ** p - 1, 2 ** p, 2 ** p + 1, Math.floor(2 ** p * 1.37));
  for (let v = 256; v < 300_000; v += 97) values.push(v);
  values.push(MAX_TRACKABLE_US);
  values.sort((a, b) => a - b);
  let lastIndex = -1;
  for (const v of values) {
    const i = bucketIndex(v);
    assert.ok(i >= lastIndex, `bucket of ${v} (${i}) is below the previous value's (${lastIndex})`);
    lastIndex = i;
    const high = bucketHighest(i);
    assert.ok(high >= v, `bucket ${i} ends at ${high}, below ${v}`);
    assert.ok((high - v) / v < 1 / 128, `bucket ${i} of ${v} ends too far away, at ${high}`);
    assert.equal(bucketIndex(high), i);
    assert.equal(bucketIndex(high + 1), i + 1);
  }
});

test('percentiles of a uniform spread are within the bucket precision', () => {
  const h = new LatencyHistogram();
  for (let v = 1; v <= 100_000; v++) h.record(v);
  assert.equal(h.count, 100_000);
  for (const [p, exact] of [[50, 50_000], [99, 99_000], [99.9, 99_900]] as const) {
    const got = h.valueAtPercentile(p);
    assert.ok(got >= exact && got <= exact * (1 + 1 / 128), `p${p}: ${got}, exact ${exact}`);
  }
  assert.equal(h.valueAtPercentile(100), 100_000);
  assert.equal(h.valueAtPercentile(0), 1);
});

test('one slow sample in a thousand shows at p99.9, not at p99', () => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 998; i++) h.recordMs(1);
  h.recordMs(250);
  h.recordMs(250);
  const s = h.summary();
  // 1000 us falls in the bucket [1000, 1003]: a percentile reports the bucket's top.
  assert.equal(s.p50Ms, 1.003);
  assert.equal(s.p99Ms, 1.003);
  assert.equal(s.p999Ms, 250);
  assert.equal(s.maxMs, 250);
  assert.equal(describeLatency(s), 'p50 1.00ms, p99 1.00ms, p99.9 250ms, max 250ms (1000 samples)');
});

test('histograms merge, also through their JSON form', () => {
  const all = new LatencyHistogram();
  const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
  for (let i = 0; i < 30_000; i++) {
    const us = (i * 7919) % 50_000;
    all.record(us);
    parts[i % 3]!.record(us);
  }
  const merged = new LatencyHistogram();
  for (const p of parts) merged.merge(LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(p))));
  assert.deepEqual(merged.summary(), all.summary());
  assert.deepEqual(merged.toJSON(), all.toJSON());
});

test('a negative latency counts as 0 and is reported; bad values are refused', () => {
  const h = new LatencyHistogram();
  h.recordMs(-0.2);
  h.recordMs(0.5);
  assert.equal(h.valueAtPercentile(50), 0);
  assert.equal(h.summary().negative, 1);
  assert.match(describeLatency(h.summary()), /1 below zero counted as 0/);
  assert.throws(() => h.record(1.5), /not a whole number/);
  assert.throws(() => h.record(MAX_TRACKABLE_US + 1), /not a whole number/);
  assert.throws(() => new LatencyHistogram().valueAtPercentile(50), /no samples/);
});
