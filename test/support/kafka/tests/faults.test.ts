import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { client, until } from './helpers.ts';

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ topics: { nl: 1, rto: 1, drop: 1, slow: 1, rs: 2 } });
});
after(async () => {
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

async function collect(kafka: Kafka, topic: string, groupId: string): Promise<{ values: string[]; stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  return { values, stop: () => consumer.disconnect() };
}

test('NOT_LEADER_FOR_PARTITION on produce: kafkajs refreshes metadata and retries', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  broker.failNextRequests('Produce', 'NOT_LEADER_FOR_PARTITION', 3);
  const [meta] = await producer.send({ topic: 'nl', messages: [{ value: 'one' }] });
  assert.deepEqual([meta?.errorCode, meta?.baseOffset], [0, '0']);
  assert.equal(broker.faultsFired('error', 'Produce'), 3);
  assert.equal(broker.state.topics.partition('nl', 0)?.nextOffset, 1);
  await producer.disconnect();
});

test('REQUEST_TIMED_OUT and NOT_LEADER_FOR_PARTITION on fetch: the consumer keeps going', async () => {
  const kafka = client(broker);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'rto', messages: [{ value: 'r0' }, { value: 'r1' }] });
  broker.failNextRequests('Fetch', 'REQUEST_TIMED_OUT', 2);
  broker.failNextRequests('Fetch', 'NOT_LEADER_FOR_PARTITION', 2);
  const reader = await collect(kafka, 'rto', 'rto-group');
  await until(() => reader.values.length === 2, 10000, 'two messages');
  await producer.send({ topic: 'rto', messages: [{ value: 'r2' }] });
  await until(() => reader.values.length === 3, 10000, 'third message');
  assert.deepEqual(reader.values, ['r0', 'r1', 'r2']);
  assert.equal(broker.faultsFired('error', 'Fetch'), 4);
  await Promise.all([reader.stop(), producer.disconnect()]);
});

test('dropped connections are re-established by producers and consumers', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const reader = await collect(kafka, 'drop', 'drop-group');
  await producer.send({ topic: 'drop', messages: [{ value: 'd0' }] });
  await until(() => reader.values.length === 1, 10000, 'first message');
  // The producer's and the consumer's connections at least.
  const dropped = broker.dropConnections();
  assert.ok(dropped >= 2, `${dropped} connections dropped`);
  broker.dropNextRequests('Fetch', 2);
  broker.dropNextRequests('Produce', 1);
  await producer.send({ topic: 'drop', messages: [{ value: 'd1' }] });
  await until(() => reader.values.length === 2, 10000, 'message after drops');
  assert.deepEqual(reader.values, ['d0', 'd1']);
  assert.equal(broker.faultsFired('drop', 'Produce'), 1);
  assert.equal(broker.faultsFired('drop', 'Fetch'), 2);
  await Promise.all([reader.stop(), producer.disconnect()]);
});

test('responses delayed past the request timeout are retried without duplicates', async () => {
  const kafka = client(broker, { requestTimeout: 300 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  broker.delayResponses(100, { api: 'Produce', count: 1 });
  const started = Date.now();
  await producer.send({ topic: 'slow', messages: [{ value: 's0' }] });
  assert.ok(Date.now() - started >= 100);
  broker.delayResponses(600, { api: 'Produce', count: 1 });
  const [meta] = await producer.send({ topic: 'slow', messages: [{ value: 's1' }] });
  assert.equal(meta?.baseOffset, '1');
  assert.equal(broker.faultsFired('delay', 'Produce'), 2);
  assert.equal(broker.state.topics.partition('slow', 0)?.nextOffset, 2);
  await producer.disconnect();
});

test('a restarted broker keeps its logs and committed offsets', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: 'rs', messages: [{ value: 'before', partition: 0 }] });
  const reader = await collect(kafka, 'rs', 'rs-group');
  await until(() => reader.values.length === 1, 10000, 'first message');
  await broker.restart({ downtimeMs: 300 });
  await producer.send({ topic: 'rs', messages: [{ value: 'after', partition: 1 }] });
  await until(() => reader.values.length === 2, 10000, 'message after restart');
  assert.deepEqual(reader.values, ['before', 'after']);
  await reader.stop();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId: 'rs-group', topics: ['rs'] });
  assert.deepEqual(offsets[0]?.partitions.map((p) => [p.partition, p.offset]).sort(), [
    [0, '1'],
    [1, '1'],
  ]);
  await Promise.all([admin.disconnect(), producer.disconnect()]);
});
