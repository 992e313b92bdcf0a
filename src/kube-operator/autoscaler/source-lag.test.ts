import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionLag, sourceLagOf } from './source-lag.ts';

const p = (earliest: number, latest: number) => ({ topic: 'orders', partition: 0, earliest, latest });

test('lag is the high watermark minus the committed offset', () => {
  assert.equal(partitionLag(p(0, 120), 100, 'earliest').lag, 20);
});

test('no committed offset: everything retained from earliest, nothing from latest', () => {
  assert.equal(partitionLag(p(30, 120), undefined, 'earliest').lag, 90);
  assert.equal(partitionLag(p(30, 120), undefined, 'latest').lag, 0);
});

test('a committed offset before the log start counts only what is retained', () => {
  assert.equal(partitionLag(p(50, 120), 10, 'earliest').lag, 70);
});

test('an idle or recreated topic has no lag, never a negative one', () => {
  assert.equal(partitionLag(p(0, 0), undefined, 'earliest').lag, 0);
  assert.equal(partitionLag(p(0, 40), 40, 'earliest').lag, 0);
  assert.equal(partitionLag(p(0, 5), 40, 'earliest').lag, 0);
});

test('a source sums its partitions and counts them', () => {
  const lag = sourceLagOf(7, [p(0, 10), { ...p(0, 8), partition: 1 }], new Map([['orders/0', 4]]), 'earliest');
  assert.deepEqual([lag.at, lag.totalLag, lag.partitionCount], [7, 14, 2]);
});
