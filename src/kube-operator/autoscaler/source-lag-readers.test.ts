import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLagReaders, kafkaLagOptions, lagPathOf } from './source-lag-readers.ts';
import type { KafkaSourceLagOptions } from './kafka-source-lag.ts';
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';
import type { SourceLag, SourceLagCollector } from './source-lag.ts';

const KAFKA = { type: 'kafka', bootstrapServers: ['k:9092'], topics: ['orders'], groupId: 'fraud', startingOffsets: 'latest' };
const sample = { at: 0, recordsInPerSecond: 0, recordsOutPerSecond: 0, busyTimeMsPerSecond: 0, backPressuredTimeMsPerSecond: 0 };
const vertex = (id: string, source?: Record<string, unknown>): ObservedVertex => ({ id, name: id, parallelism: 1, maxParallelism: 128, keyed: false, inputs: [], sample, ...(source ? { source } : {}) });
const lagOf = (totalLag: number): SourceLag => ({ at: 0, measure: 'committed-offsets', partitions: [], totalLag, partitionCount: 4 });
/** What the JobManager lists for a source reading orders/0 and orders/1, with the readers' pendingRecords summed. */
const reported = (pending: number) => ({
  ids: ['Source__in.KafkaSourceReader.topic.orders.partition.0.currentOffset', 'Source__in.KafkaSourceReader.topic.orders.partition.0.pendingRecords', 'Source__in.KafkaSourceReader.topic.orders.partition.1.currentOffset', 'Source__in.KafkaSourceReader.topic.orders.partition.1.pendingRecords', 'Source__in.pendingRecords'],
  sums: { 'Source__in.pendingRecords': pending },
});

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

test('the path: committed offsets for a PLAINTEXT source with a group; the job\'s pendingRecords when secured or without a group; nothing for other sources', () => {
  assert.deepEqual(lagPathOf({ ...KAFKA, securityProtocol: 'PLAINTEXT' }), { by: 'committed-offsets', options: { brokers: ['k:9092'], topics: ['orders'], groupId: 'fraud', startingOffsets: 'latest' } });
  // A source described before the protocol was (an older Weir) was read as PLAINTEXT, and still is.
  assert.equal(lagPathOf(KAFKA)?.by, 'committed-offsets');
  for (const protocol of ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL', 'sasl_ssl']) {
    assert.deepEqual(lagPathOf({ ...KAFKA, securityProtocol: protocol }), { by: 'pending-records', why: `its cluster is secured (${protocol.toUpperCase()}) and the operator has none of the job's credentials` });
  }
  assert.match((lagPathOf({ ...KAFKA, groupId: undefined }) as { why: string }).why, /^it commits to no group/);
  assert.equal(lagPathOf({ type: 'datagen' }), undefined);
  assert.equal(lagPathOf(undefined), undefined);
});

test('a secured source\'s lag is its readers\' pendingRecords, with no admin client; one not fetched yet has no lag this pass', async () => {
  const created: KafkaSourceLagOptions[] = [];
  const log: string[] = [];
  const readers = new SourceLagReaders((line) => log.push(line), (options) => {
    created.push(options);
    throw new Error('no admin client for a secured cluster');
  });
  const secured = { ...vertex('src', { ...KAFKA, securityProtocol: 'SASL_SSL' }), sample: { ...sample, at: 5 }, reported: reported(37) };
  assert.deepEqual([...(await readers.lagOf('jobs/a', [secured, vertex('sink')]))], [['src', { at: 5, measure: 'pending-records', partitions: [], totalLag: 37, partitionCount: 2 }]]);
  assert.deepEqual([created, log], [[], []]);

  const unfetched = { ...secured, reported: { ...reported(37), ids: reported(37).ids.filter((id) => !id.endsWith('partition.1.pendingRecords')) } };
  assert.deepEqual([...(await readers.lagOf('jobs/a', [unfetched]))], []);
  assert.deepEqual(log, ['autoscaler: no source lag for jobs/a/src this pass: its cluster is secured (SASL_SSL) and the operator has none of the job\'s credentials; and from the job\'s pendingRecords: 1 of 2 partitions not fetched yet (orders/1)']);
});

test('a committed-offsets read that fails falls back to the job\'s pendingRecords for the pass, and says so', async () => {
  const log: string[] = [];
  let fail = true;
  const readers = new SourceLagReaders((line) => log.push(line), () => ({
    sourceLag: () => (fail ? Promise.reject(new Error('connection refused')) : Promise.resolve(lagOf(9))),
    close: () => Promise.resolve(),
  }));
  const src = { ...vertex('src', KAFKA), reported: reported(12) };
  assert.deepEqual((await readers.lagOf('jobs/a', [src])).get('src'), { at: 0, measure: 'pending-records', partitions: [], totalLag: 12, partitionCount: 2 });
  assert.deepEqual(log, ['autoscaler: source lag for jobs/a/src from the job\'s pendingRecords this pass: its committed offsets could not be read: connection refused']);
  fail = false;
  assert.deepEqual((await readers.lagOf('jobs/a', [src])).get('src'), lagOf(9));
});
