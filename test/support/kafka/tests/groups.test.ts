import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, Kafka } from 'kafkajs';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { client, until } from './helpers.ts';

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ topics: { grp: 4, lag: 2, sess: 2 }, minSessionTimeoutMs: 100 });
});
after(async () => {
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

interface Tracked {
  consumer: Consumer;
  values: string[];
  assigned: () => number[];
}

async function track(kafka: Kafka, groupId: string, topic: string, sessionTimeout = 6000, restart = true): Promise<Tracked> {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 50,
    sessionTimeout,
    heartbeatInterval: Math.floor(sessionTimeout / 10),
    rebalanceTimeout: 5000,
    retry: { initialRetryTime: 50, retries: 8, restartOnFailure: async () => restart },
  });
  let assignment: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort();
  });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  return { consumer, values, assigned: () => assignment };
}

async function produce(kafka: Kafka, topic: string, from: number, count: number, partitions: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `m${from + i}`, partition: (from + i) % partitions })) });
  await producer.disconnect();
}

test('two members split partitions, and the survivor takes all back when one leaves', async () => {
  const kafka = client(broker);
  await produce(kafka, 'grp', 0, 20, 4);
  const a = await track(kafka, 'g1', 'grp');
  await until(() => a.values.length === 20 && a.assigned().length === 4, 10000, 'A alone consuming');
  const admin = kafka.admin();
  await admin.connect();
  const committed = async (): Promise<number> =>
    (await admin.fetchOffsets({ groupId: 'g1', topics: ['grp'] }))[0]?.partitions.reduce((n, p) => n + Number(p.offset), 0) ?? -1;
  const deadline = Date.now() + 10000;
  while ((await committed()) !== 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await committed(), 20);

  const b = await track(kafka, 'g1', 'grp');
  await until(() => a.assigned().length === 2 && b.assigned().length === 2, 10000, 'rebalance to two members');
  assert.deepEqual([...a.assigned(), ...b.assigned()].sort(), [0, 1, 2, 3]);
  const described = await admin.describeGroups(['g1']);
  assert.equal(described.groups[0]?.state, 'Stable');
  assert.equal(described.groups[0]?.protocol, 'RoundRobinAssigner');
  assert.equal(described.groups[0]?.members.length, 2);
  const listed = await admin.listGroups();
  assert.deepEqual(listed.groups.filter((g) => g.groupId === 'g1'), [{ groupId: 'g1', protocolType: 'consumer' }]);

  await produce(kafka, 'grp', 20, 20, 4);
  await until(() => a.values.length + b.values.length === 40, 10000, 'second batch');
  const second = [...a.values.slice(20), ...b.values].sort();
  assert.deepEqual(second, Array.from({ length: 20 }, (_, i) => `m${20 + i}`).sort());
  assert.deepEqual(b.values.map((v) => Number(v.slice(1)) % 4).sort(), Array.from({ length: 10 }, (_, i) => b.assigned()[i % 2]).sort());

  await b.consumer.disconnect();
  await until(() => a.assigned().length === 4, 10000, 'A taking all partitions back');
  await a.consumer.disconnect();
  await admin.disconnect();
});

test('committed offsets and topic offsets give the lag', async () => {
  const kafka = client(broker);
  await produce(kafka, 'lag', 0, 10, 2);
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({ groupId: 'lagger', maxWaitTimeInMs: 50 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'lag' });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  await until(() => joined, 10000, 'lagger joined');
  await consumer.commitOffsets([
    { topic: 'lag', partition: 0, offset: '2' },
    { topic: 'lag', partition: 1, offset: '5' },
  ]);
  await consumer.disconnect();
  const committed = await admin.fetchOffsets({ groupId: 'lagger', topics: ['lag'] });
  assert.deepEqual(committed, [
    {
      topic: 'lag',
      partitions: [
        { partition: 0, offset: '2', metadata: null },
        { partition: 1, offset: '5', metadata: null },
      ],
    },
  ]);
  const ends = await admin.fetchTopicOffsets('lag');
  assert.deepEqual(
    ends.map((p) => ({ partition: p.partition, low: p.low, high: p.high })).sort((x, y) => x.partition - y.partition),
    [
      { partition: 0, low: '0', high: '5' },
      { partition: 1, low: '0', high: '5' },
    ],
  );
  const lag = ends.map((e) => Number(e.high) - Number(committed[0]?.partitions.find((p) => p.partition === e.partition)?.offset));
  assert.deepEqual(lag.sort(), [0, 3]);
  const none = await admin.fetchOffsets({ groupId: 'nobody', topics: ['lag'] });
  assert.deepEqual(none[0]?.partitions.map((p) => p.offset), ['-1', '-1']);
  await admin.disconnect();
});

test('a member that stops heartbeating is expired after its session timeout', async () => {
  const kafka = client(broker);
  const a = await track(kafka, 'g2', 'sess', 1000);
  await until(() => a.assigned().length === 2, 10000, 'A joined');
  // No restart after its crash: kafkajs can schedule one that outlives disconnect().
  const zombie = await track(client(broker, { clientId: 'zombie', retry: { initialRetryTime: 50, maxRetryTime: 100, retries: 1 } }), 'g2', 'sess', 1000, false);
  await until(() => a.assigned().length === 1 && zombie.assigned().length === 1, 10000, 'split');
  // Cut the zombie off entirely: the broker stops hearing from it, as when a process hangs.
  broker.dropNextRequests(null, Number.POSITIVE_INFINITY, { clientId: 'zombie' });
  const start = Date.now();
  await until(() => a.assigned().length === 2, 10000, 'A reassigned after the zombie expired');
  assert.ok(Date.now() - start >= 900, `expired after ${Date.now() - start} ms`);
  assert.equal(broker.state.groups.groups.get('g2')?.members.size, 1);
  // The zombie kept trying (how often depends on its timers): the cut is what expired it.
  assert.ok(broker.faultsFired('drop') >= 1, `${broker.faultsFired('drop')} of the zombie's requests dropped`);
  await a.consumer.disconnect();
  broker.clearFaults();
  await zombie.consumer.disconnect();
});
