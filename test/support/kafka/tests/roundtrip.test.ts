import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionTypes } from 'kafkajs';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { client, until } from './helpers.ts';

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ partitions: 3 });
});
after(async () => {
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

test('admin creates topics and partitions and deletes groups, with Kafka errors', async () => {
  const admin = client(broker).admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic: 'created', numPartitions: 4 }] }), true);
    assert.equal(await admin.createTopics({ topics: [{ topic: 'created', numPartitions: 4 }] }), false);
    const meta = await admin.fetchTopicMetadata({ topics: ['created'] });
    assert.deepEqual(
      meta.topics[0]?.partitions.map((p) => [p.partitionId, p.leader]).sort(),
      [
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 0],
      ],
    );
    await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad', numPartitions: 1, replicationFactor: 3 }] }), (err: unknown) => {
      const inner = (err as { errors?: { type?: string; topic?: string }[] }).errors?.[0];
      assert.deepEqual([inner?.type, inner?.topic], ['INVALID_REPLICATION_FACTOR', 'bad']);
      return true;
    });
    await admin.createPartitions({ topicPartitions: [{ topic: 'created', count: 6 }] });
    assert.equal((await admin.fetchTopicMetadata({ topics: ['created'] })).topics[0]?.partitions.length, 6);
    await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: 'created', count: 5 }] }), (err: unknown) => {
      assert.equal((err as { type?: string }).type, 'INVALID_PARTITIONS');
      return true;
    });
    assert.equal(broker.state.offsets.commit('to-delete', -1, '', [{ topic: 'created', partition: 0, offset: 1, metadata: null }]), 0);
    assert.deepEqual(await admin.deleteGroups(['to-delete']), [{ groupId: 'to-delete', errorCode: 0 }]);
    assert.equal((await admin.listGroups()).groups.some((g) => g.groupId === 'to-delete'), false);
    await assert.rejects(admin.deleteGroups(['to-delete']), (err: unknown) => {
      const inner = (err as { groups?: { error?: { type?: string } }[] }).groups?.[0];
      assert.equal(inner?.error?.type, 'GROUP_ID_NOT_FOUND');
      return true;
    });
    await admin.deleteTopics({ topics: ['created'] });
    assert.equal((await admin.listTopics()).includes('created'), false);
  } finally {
    await admin.disconnect();
  }
});

test('messages produced to three partitions are consumed in order per partition', async () => {
  const kafka = client(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'rt', numPartitions: 3 }] });
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  for (let batch = 0; batch < 3; batch++) {
    await producer.send({
      topic: 'rt',
      compression: batch === 1 ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: Array.from({ length: 30 }, (_, i) => ({
        key: `k${i % 3}`,
        value: `v${batch * 30 + i}`,
        partition: i % 3,
        headers: { h: `${i}` },
      })),
    });
  }
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'rt-group', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'rt', fromBeginning: true });
  const seen: Record<number, string[]> = { 0: [], 1: [], 2: [] };
  const offsets: Record<number, string[]> = { 0: [], 1: [], 2: [] };
  let headerOk = true;
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen[partition]?.push(message.value?.toString() ?? '');
      offsets[partition]?.push(message.offset);
      if (message.headers?.h?.toString() !== String(Number(message.value?.toString().slice(1)) % 30)) headerOk = false;
    },
  });
  await until(() => Object.values(seen).every((v) => v.length === 30), 10000, 'all messages');
  await consumer.disconnect();
  for (const p of [0, 1, 2]) {
    const expected = [0, 1, 2].flatMap((b) => Array.from({ length: 10 }, (_, j) => `v${b * 30 + j * 3 + p}`));
    assert.deepEqual(seen[p], expected);
    assert.deepEqual(offsets[p], Array.from({ length: 30 }, (_, i) => String(i)));
  }
  assert.equal(headerOk, true);
});

test('producing to an unknown topic auto-creates it with the default partition count', async () => {
  const kafka = client(broker);
  const producer = kafka.producer();
  await producer.connect();
  const [meta] = await producer.send({ topic: 'auto-created', messages: [{ value: 'first', partition: 2 }] });
  assert.deepEqual([meta?.topicName, meta?.partition, meta?.errorCode, meta?.baseOffset], ['auto-created', 2, 0, '0']);
  assert.equal(broker.state.topics.get('auto-created')?.partitions.length, 3);
  await producer.disconnect();
});

test('a LogAppendTime topic stamps records with the broker time', async () => {
  const kafka = client(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'append-time', numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const before = Date.now();
  const [meta] = await producer.send({ topic: 'append-time', messages: [{ value: 'stamped', timestamp: '1000' }] });
  await producer.disconnect();
  assert.ok(Number(meta?.logAppendTime) >= before);

  const consumer = kafka.consumer({ groupId: 'append-time-reader', maxWaitTimeInMs: 50 });
  const timestamps: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: 'append-time', fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      timestamps.push(message.timestamp);
    },
  });
  await until(() => timestamps.length === 1, 10000, 'stamped message');
  await consumer.disconnect();
  assert.deepEqual(timestamps, [meta?.logAppendTime]);
});
