import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLagReaders, kafkaLagOptions } from './source-lag-readers.ts';
import type { KafkaSourceLagOptions } from './kafka-source-lag.ts';
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';
import type { SourceLag, SourceLagCollector } from './source-lag.ts';

const KAFKA = { type: 'kafka', bootstrapServers: ['k:9092'], topics: ['orders'], groupId: 'fraud', startingOffsets: 'latest' };
const sample = { at: 0, recordsInPerSecond: 0, recordsOutPerSecond: 0, busyTimeMsPerSecond: 0, backPressuredTimeMsPerSecond: 0 };
const vertex = (id: string, source?: Record<string, unknown>): ObservedVertex => ({ id, name: id, parallelism: 1, maxParallelism: 128, keyed: false, inputs: [], sample, ...(source ? { source } : {}) });
const lagOf = (totalLag: number): SourceLag => ({ at: 0, partitions: [], totalLag, partitionCount: 4 });

test('a Kafka source vertex names what to measure, its topics or its pattern; no group, no topics or another source type gives nothing to measure', () => {
  assert.deepEqual(kafkaLagOptions(KAFKA), { brokers: ['k:9092'], topics: ['orders'], groupId: 'fraud', startingOffsets: 'latest' });
  assert.equal(kafkaLagOptions({ ...KAFKA, startingOffsets: undefined })?.startingOffsets, 'earliest');
  assert.equal(kafkaLagOptions({ ...KAFKA, topics: undefined }), undefined);
  assert.deepEqual(kafkaLagOptions({ ...KAFKA, topics: undefined, topicPattern: 'orders-.*' })?.topics, { pattern: 'orders-.*', flags: '' });
  assert.deepEqual(kafkaLagOptions({ ...KAFKA, topics: undefined, topicPattern: '^ORDERS', topicPatternFlags: 'i' })?.topics, { pattern: '^ORDERS', flags: 'i' });
  // A pattern JavaScript cannot compile (a Java possessive quantifier) cannot be matched here.
  assert.equal(kafkaLagOptions({ ...KAFKA, topics: undefined, topicPattern: 'orders-.*+(' }), undefined);
  assert.equal(kafkaLagOptions({ ...KAFKA, groupId: undefined }), undefined);
  assert.equal(kafkaLagOptions({ ...KAFKA, type: 'datagen' }), undefined);
  assert.equal(kafkaLagOptions(undefined), undefined);
});

test('one reader per deployment and source, replaced when what it reads changes, closed when it goes; a failed read is logged and left out', async () => {
  const created: KafkaSourceLagOptions[] = [];
  const closed: string[] = [];
  let fail = false;
  const log: string[] = [];
  const readers = new SourceLagReaders(
    (line) => log.push(line),
    (options): SourceLagCollector => {
      created.push(options);
      const n = created.length;
      return {
        sourceLag: () => (fail ? Promise.reject(new Error('broker down')) : Promise.resolve(lagOf(n * 10))),
        close: () => {
          closed.push(options.groupId);
          return Promise.resolve();
        },
      };
    },
  );
  const graph = [vertex('src', KAFKA), vertex('sink')];
  assert.deepEqual([...(await readers.lagOf('jobs/a', graph))], [['src', lagOf(10)]]);
  assert.deepEqual([...(await readers.lagOf('jobs/a', graph))], [['src', lagOf(10)]]);
  assert.equal(created.length, 1);

  await readers.lagOf('jobs/a', [vertex('src', { ...KAFKA, groupId: 'fraud-v2' }), vertex('sink')]);
  assert.deepEqual([created.length, closed], [2, ['fraud']]);

  fail = true;
  assert.deepEqual([...(await readers.lagOf('jobs/a', [vertex('src', { ...KAFKA, groupId: 'fraud-v2' })]))], []);
  assert.match(log[0]!, /^autoscaler: no source lag for jobs\/a\/src this pass: .*broker down/);

  await readers.lagOf('jobs/b', graph);
  await readers.forget('jobs/a');
  assert.deepEqual(closed, ['fraud', 'fraud-v2']);
  await readers.closeAll();
  assert.deepEqual(closed, ['fraud', 'fraud-v2', 'fraud']);
});
