import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionLag, pendingRecordsIds, pendingRecordsLag, sourceLagOf } from './source-lag.ts';

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
  assert.deepEqual([lag.at, lag.measure, lag.totalLag, lag.partitionCount, lag.latestOffsets], [7, 'committed-offsets', 14, 2, 18]);
});

const partition = (topic: string, p: number, ...metrics: string[]) => metrics.map((m) => `Source__in.KafkaSourceReader.topic.${topic}.partition.${p}.${m}`);
const BOTH = ['currentOffset', 'pendingRecords'];

test('pending-records: the readers\' pendingRecords summed over subtasks, the partitions counted by their currentOffset', () => {
  const ids = [...partition('orders', 0, ...BOTH), ...partition('orders', 1, ...BOTH), ...partition('orders.eu', 0, ...BOTH), 'Source__in.pendingRecords', 'Source__in.numRecordsIn'];
  assert.deepEqual(pendingRecordsIds(ids), ['Source__in.pendingRecords']);
  assert.deepEqual(pendingRecordsLag(7, { ids, sums: { 'Source__in.pendingRecords': 250 } }), { lag: { at: 7, measure: 'pending-records', partitions: [], totalLag: 250, partitionCount: 3 } });
});

test('pending-records: no sample when a partition was not fetched yet, nothing is reported, or the value is missing', () => {
  const ids = [...partition('orders', 0, ...BOTH), ...partition('orders', 1, 'currentOffset'), 'Source__in.pendingRecords'];
  assert.deepEqual(pendingRecordsLag(7, { ids, sums: { 'Source__in.pendingRecords': 250 } }), { missing: '1 of 2 partitions not fetched yet (orders/1)' });
  assert.deepEqual(pendingRecordsLag(7, { ids: [], sums: {} }), { missing: 'its readers report no pendingRecords (not running, or not a Kafka source)' });
  assert.deepEqual(pendingRecordsLag(7, { ids: ['Source__in.pendingRecords'], sums: { 'Source__in.pendingRecords': 3 } }), { missing: 'its readers report no partitions' });
  assert.deepEqual(pendingRecordsLag(7, { ids: [...partition('orders', 0, ...BOTH), 'Source__in.pendingRecords'], sums: {} }), { missing: 'no value for Source__in.pendingRecords' });
});
