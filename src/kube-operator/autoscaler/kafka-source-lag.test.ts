/** The Kafka lag collector against the Kafka test broker, driven by a real kafkajs producer and group commits. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { startKafka } from '../../../test/support/kafka/index.ts';
import type { KafkaBroker } from '../../../test/support/kafka/index.ts';
import { KafkaSourceLag } from './kafka-source-lag.ts';

let broker: KafkaBroker;
let producer: Producer;
let admin: Admin;
const collectors: KafkaSourceLag[] = [];

before(async () => {
  broker = await startKafka({ autoCreateTopics: false, topics: { orders: 2, idle: 3, growing: 1, 'clicks-eu': 2, 'clicks-us': 1, clickstream: 1 } });
  const kafka = new Kafka({ brokers: broker.brokers, clientId: 'test', logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
});
after(async () => {
  for (const c of collectors) await c.close();
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

function collector(topics: string[], groupId: string, startingOffsets: 'earliest' | 'latest' = 'earliest') {
  const c = new KafkaSourceLag({ brokers: broker.brokers, groupId, topics, startingOffsets });
  collectors.push(c);
  return c;
}

async function produce(topic: string, partition: number, count: number) {
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition, value: `v${i}` })) });
}

/**
 * Commits as a Kafka source commits on checkpoint completion (Flink's does so without group
 * membership, generation -1). kafkajs sends commits only from a member of the group, which
 * takes seconds to join, so the test commits on the broker directly.
 */
function commit(groupId: string, topic: string, partition: number, offset: number) {
  assert.equal(broker.state.offsets.commit(groupId, -1, '', [{ topic, partition, offset, metadata: null }]), 0);
}

const lags = (l: Awaited<ReturnType<KafkaSourceLag['sourceLag']>>) => l.partitions.map((p) => [p.topic, p.partition, p.committed, p.lag]);

test('lag per partition is the latest offset minus the group\'s committed one; no commit yet counts from the start', async () => {
  await produce('orders', 0, 10);
  await produce('orders', 1, 4);
  const lag = collector(['orders'], 'job-a');
  assert.deepEqual(lags(await lag.sourceLag()), [['orders', 0, undefined, 10], ['orders', 1, undefined, 4]]);
  commit('job-a', 'orders', 0, 7);
  const now = await lag.sourceLag();
  assert.deepEqual(lags(now), [['orders', 0, 7, 3], ['orders', 1, undefined, 4]]);
  assert.deepEqual([now.totalLag, now.partitionCount], [7, 2]);
  // A source that starts from the latest offsets has read nothing it will not skip.
  assert.equal((await collector(['orders'], 'job-b', 'latest').sourceLag()).totalLag, 0);
});

test('an idle topic has no lag', async () => {
  const l = await collector(['idle'], 'job-idle').sourceLag();
  assert.deepEqual([l.totalLag, l.partitionCount], [0, 3]);
});

test('partitions added while running are seen at once, without a committed offset', async () => {
  await produce('growing', 0, 5);
  const lag = collector(['growing'], 'job-c');
  commit('job-c', 'growing', 0, 5);
  assert.deepEqual(lags(await lag.sourceLag()), [['growing', 0, 5, 0]]);
  await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] });
  // A producer that knew the topic before sends nothing to partitions it has not seen; a new one does.
  const fresh = new Kafka({ brokers: broker.brokers, clientId: 'test-2', logLevel: logLevel.NOTHING }).producer();
  await fresh.connect();
  await fresh.send({ topic: 'growing', messages: Array.from({ length: 6 }, (_, i) => ({ partition: 2, value: `v${i}` })) });
  await fresh.disconnect();
  const after = await lag.sourceLag();
  assert.deepEqual(lags(after), [['growing', 0, 5, 0], ['growing', 1, undefined, 0], ['growing', 2, undefined, 6]]);
  assert.equal(after.partitionCount, 3);
});

test('a topic pattern is measured on the topics it matches now, as the source matches them: one created while running counts at the next collection', async () => {
  await produce('clicks-eu', 0, 4);
  await produce('clicks-eu', 1, 2);
  await produce('clicks-us', 0, 3);
  await produce('clickstream', 0, 50);
  const lag = new KafkaSourceLag({ brokers: broker.brokers, groupId: 'job-clicks', topics: { pattern: '^clicks-', flags: '' }, startingOffsets: 'earliest' });
  collectors.push(lag);
  commit('job-clicks', 'clicks-eu', 0, 4);
  commit('job-clicks', 'clicks-us', 0, 1);
  const first = await lag.sourceLag();
  assert.deepEqual(lags(first), [['clicks-eu', 0, 4, 0], ['clicks-eu', 1, undefined, 2], ['clicks-us', 0, 1, 2]]);
  assert.deepEqual([first.totalLag, first.partitionCount], [4, 3]);
  await admin.createTopics({ topics: [{ topic: 'clicks-asia', numPartitions: 2 }] });
  await produce('clicks-asia', 1, 5);
  const after = await lag.sourceLag();
  assert.deepEqual(lags(after), [['clicks-asia', 0, undefined, 0], ['clicks-asia', 1, undefined, 5], ['clicks-eu', 0, 4, 0], ['clicks-eu', 1, undefined, 2], ['clicks-us', 0, 1, 2]]);
  assert.deepEqual([after.totalLag, after.partitionCount], [9, 5]);
  // Flags as the source gave them.
  const insensitive = new KafkaSourceLag({ brokers: broker.brokers, groupId: 'job-clicks', topics: { pattern: 'CLICKS-US', flags: 'i' }, startingOffsets: 'earliest' });
  collectors.push(insensitive);
  assert.deepEqual(lags(await insensitive.sourceLag()), [['clicks-us', 0, 1, 2]]);
});

test('a pattern that matches no topic is a retriable SOURCE_LAG_UNAVAILABLE: the source is decided on busy time alone', async () => {
  const c = new KafkaSourceLag({ brokers: broker.brokers, groupId: 'g', topics: { pattern: '^nothing-', flags: '' }, startingOffsets: 'earliest' });
  collectors.push(c);
  await assert.rejects(c.sourceLag(), (err: { code?: string; retriable?: boolean; message?: string }) => err.code === 'SOURCE_LAG_UNAVAILABLE' && err.retriable === true && /the topics matching \/\^nothing-\//.test(err.message ?? ''));
});

test('an unreachable broker is a retriable SOURCE_LAG_UNAVAILABLE', async () => {
  const c = new KafkaSourceLag({ brokers: ['127.0.0.1:1'], groupId: 'g', topics: ['orders'], startingOffsets: 'earliest' });
  collectors.push(c);
  await assert.rejects(c.sourceLag(), (err: { code?: string; retriable?: boolean }) => err.code === 'SOURCE_LAG_UNAVAILABLE' && err.retriable === true);
});
