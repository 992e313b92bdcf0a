import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { PartitionLog } from '../log/partition-log.ts';
import { buildBatch, readHeader } from '../protocol/record-batch.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { client, until } from './helpers.ts';

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ topics: { idem: 1 } });
});
after(async () => {
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

function batch(seq: number, count: number, epoch = 0, producerId = 7): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`r${seq + i}`), timestamp: 1000 + i }));
  return buildBatch(records, { producerId, producerEpoch: epoch, baseSequence: seq });
}

function append(log: PartitionLog, data: Buffer): [number, number] {
  const r = log.append(readHeader(data), data);
  return [r.error, r.baseOffset];
}

test('sequence checks: duplicates answered with the original offset, gaps and stale epochs refused', () => {
  const log = new PartitionLog(() => undefined);
  assert.deepEqual(append(log, batch(1, 2)), [ErrorCode.UNKNOWN_PRODUCER_ID, -1]);
  assert.deepEqual(append(log, batch(0, 3)), [ErrorCode.NONE, 0]);
  assert.deepEqual(append(log, batch(0, 3)), [ErrorCode.NONE, 0]);
  assert.equal(log.nextOffset, 3);
  assert.deepEqual(append(log, batch(5, 1)), [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
  assert.deepEqual(append(log, batch(3, 2)), [ErrorCode.NONE, 3]);
  for (let s = 5; s < 10; s++) assert.deepEqual(append(log, batch(s, 1)), [ErrorCode.NONE, s]);
  // Sequence 0-2 has fallen out of the five cached batches: a duplicate Kafka can no longer answer.
  assert.deepEqual(append(log, batch(0, 3)), [ErrorCode.DUPLICATE_SEQUENCE_NUMBER, -1]);
  assert.deepEqual(append(log, batch(0, 1, 1)), [ErrorCode.NONE, 10]);
  assert.deepEqual(append(log, batch(10, 1, 0)), [ErrorCode.INVALID_PRODUCER_EPOCH, -1]);
  assert.deepEqual(append(log, batch(3, 1, 2)), [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
  assert.equal(log.nextOffset, 11);
});

test('an idempotent producer whose responses are lost retries without writing duplicates', async () => {
  const kafka = client(broker);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // The broker appends these batches but the connection dies before the answer goes out.
  broker.dropNextRequests('Produce', 2, { afterHandling: true });
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: 'idem', messages: [{ value: `a${i}` }, { value: `b${i}` }] });
  }
  await producer.disconnect();
  assert.equal(broker.faultsFired('drop', 'Produce'), 2);
  const log = broker.state.topics.partition('idem', 0);
  assert.equal(log?.nextOffset, 10);
  assert.deepEqual(
    log?.batches.map((b) => b.baseOffset),
    [0, 2, 4, 6, 8],
  );

  const consumer = kafka.consumer({ groupId: 'idem-reader', maxWaitTimeInMs: 50 });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: 'idem', fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  await until(() => values.length >= 10, 10000, 'ten messages');
  await consumer.disconnect();
  assert.deepEqual(values, ['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4']);
});
