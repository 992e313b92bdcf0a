import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { client, until } from './helpers.ts';

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ topics: { tx: 2, fence: 1, stale: 1, in: 1, out: 1 }, transactionAbortCheckIntervalMs: 50 });
});
after(async () => {
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

interface Reader {
  values: string[];
  stop: () => Promise<void>;
}

async function read(kafka: Kafka, topic: string, groupId: string, readUncommitted: boolean): Promise<Reader> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, readUncommitted });
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

function errorType(err: unknown): string | undefined {
  return (err as { type?: string }).type;
}

test('read_committed consumers never see aborted messages and see committed ones once', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ transactionalId: 'tx-1', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const committed = await read(kafka, 'tx', 'tx-committed', false);
  const uncommitted = await read(kafka, 'tx', 'tx-uncommitted', true);

  const aborted = await producer.transaction();
  await aborted.send({ topic: 'tx', messages: [0, 1, 2, 3].map((i) => ({ value: `aborted-${i}`, partition: i % 2 })) });
  await aborted.abort();

  const open = await producer.transaction();
  await open.send({ topic: 'tx', messages: [0, 1, 2, 3].map((i) => ({ value: `ok-${i}`, partition: i % 2 })) });
  // While the transaction is open its records sit above the last stable offset.
  await until(() => uncommitted.values.length === 8, 10000, 'uncommitted reader');
  const log = broker.state.topics.partition('tx', 0);
  assert.deepEqual([log?.lastStableOffset, log?.highWatermark], [3, 5]);
  await open.commit();
  // A last transaction per partition: a reader that has it has passed every earlier record.
  const last = await producer.transaction();
  await last.send({ topic: 'tx', messages: [0, 1].map((i) => ({ value: `end-${i}`, partition: i })) });
  await last.commit();

  await until(() => committed.values.filter((v) => v.startsWith('end')).length === 2, 10000, 'committed reader at the end');
  await until(() => uncommitted.values.filter((v) => v.startsWith('end')).length === 2, 10000, 'uncommitted reader at the end');
  assert.deepEqual(committed.values.sort(), ['end-0', 'end-1', 'ok-0', 'ok-1', 'ok-2', 'ok-3']);
  assert.deepEqual(uncommitted.values.sort(), ['aborted-0', 'aborted-1', 'aborted-2', 'aborted-3', 'end-0', 'end-1', 'ok-0', 'ok-1', 'ok-2', 'ok-3']);
  assert.deepEqual(log?.aborted, [{ producerId: log?.aborted[0]?.producerId, firstOffset: 0, lastOffset: 2 }]);
  await Promise.all([committed.stop(), uncommitted.stop(), producer.disconnect()]);
});

test('sendOffsets commits consumer offsets only when the transaction commits', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ transactionalId: 'eos-1', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = async (): Promise<string | undefined> => (await admin.fetchOffsets({ groupId: 'eos', topics: ['in'] }))[0]?.partitions[0]?.offset;

  const t1 = await producer.transaction();
  await t1.send({ topic: 'out', messages: [{ value: 'x1' }] });
  await t1.sendOffsets({ consumerGroupId: 'eos', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '3' }] }] });
  assert.equal(await offsets(), '-1');
  await t1.commit();
  assert.equal(await offsets(), '3');

  const t2 = await producer.transaction();
  await t2.send({ topic: 'out', messages: [{ value: 'x2' }] });
  await t2.sendOffsets({ consumerGroupId: 'eos', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }] });
  await t2.abort();
  assert.equal(await offsets(), '3');
  await Promise.all([admin.disconnect(), producer.disconnect()]);
});

test('a second producer with the same transactional id fences the first', async () => {
  const kafka = client(broker);
  const zombie = kafka.producer({ transactionalId: 'fenced', maxInFlightRequests: 1, idempotent: true });
  await zombie.connect();
  const zt = await zombie.transaction();
  await zt.send({ topic: 'fence', messages: [{ value: 'zombie' }] });

  const successor = kafka.producer({ transactionalId: 'fenced', maxInFlightRequests: 1, idempotent: true });
  await successor.connect();
  // kafkajs sends InitProducerId when the first transaction begins; that bumps the epoch.
  const st = await successor.transaction();
  await assert.rejects(zt.commit(), (err) => errorType(err) === 'INVALID_PRODUCER_EPOCH');
  await st.send({ topic: 'fence', messages: [{ value: 'successor' }] });
  await st.commit();

  const reader = await read(kafka, 'fence', 'fence-reader', false);
  await until(() => reader.values.length >= 1, 10000, 'successor message');
  // The zombie's aborted record precedes the successor's in the partition, so it would have come first.
  assert.deepEqual(reader.values, ['successor']);
  await Promise.all([reader.stop(), zombie.disconnect(), successor.disconnect()]);
});

test('a transaction left open past its timeout is aborted and its producer fenced', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ transactionalId: 'stale', transactionTimeout: 300, maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const t = await producer.transaction();
  await t.send({ topic: 'stale', messages: [{ value: 'late' }] });
  const log = broker.state.topics.partition('stale', 0);
  assert.equal(log?.lastStableOffset, 0);
  await until(() => log?.lastStableOffset === 2, 5000, 'timeout abort marker');
  assert.deepEqual(
    log?.aborted.map((a) => [a.firstOffset, a.lastOffset]),
    [[0, 1]],
  );
  await assert.rejects(t.commit(), (err) => errorType(err) === 'INVALID_PRODUCER_EPOCH');
  await producer.disconnect();
});
