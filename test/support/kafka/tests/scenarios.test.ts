// One scenario suite, run with two independent clients (kafkajs and @platformatic/kafka),
// and transactions written by each client read by the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { readHeader } from '../protocol/record-batch.ts';
import { until } from './helpers.ts';
import { CODECS, CODEC_ID, clientZstd } from './clients/test-client.ts';
import type { OutMessage, TestClient } from './clients/test-client.ts';
import { kafkajsClient } from './clients/kafkajs-client.ts';
import { platformaticClient } from './clients/platformatic-client.ts';

let broker: KafkaBroker;
const clients: TestClient[] = [];
before(async () => {
  broker = await startKafka({ autoCreateTopics: false, transactionAbortCheckIntervalMs: 100 });
  clients.push(kafkajsClient(broker), platformaticClient(broker));
});
after(async () => {
  for (const c of clients) await c.close();
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

const FACTORIES = ['kafkajs', 'platformatic'] as const;
const clientNamed = (name: string): TestClient => clients.find((c) => c.name === name) as TestClient;

function messages(prefix: string, count: number, partitions: number, from = 0): OutMessage[] {
  return Array.from({ length: count }, (_, j) => {
    const i = from + j;
    return { key: `k${i}`, value: `${prefix}-${i}`, partition: i % partitions, headers: { n: String(i) } };
  });
}

/** Waits until the clock has moved past `ms`, so later records carry later timestamps. */
async function clockPast(ms: number): Promise<void> {
  await until(() => Date.now() > ms, 5000, 'the clock to advance');
}

for (const name of FACTORIES) {
  test(`${name}: metadata lists a created topic's partitions, each led by node 0`, async () => {
    const client = clientNamed(name);
    await client.createTopic(`${name}-meta`, 3);
    assert.deepEqual(await client.partitionLeaders(`${name}-meta`), [
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
  });

  for (const codec of CODECS) {
    const skip = codec === 'zstd' && !clientZstd ? 'the clients compress zstd with node:zlib, which has it from Node 22.15' : false;
    test(`${name}: ${codec} batches on three partitions are consumed in order and found by timestamp`, { skip }, async () => {
      const client = clientNamed(name);
      const topic = `${name}-${codec}`;
      await client.createTopic(topic, 3);
      await client.produce(topic, messages(codec, 15, 3), { codec });
      const midpoint = Date.now() + 1;
      await clockPast(midpoint);
      await client.produce(topic, messages(codec, 15, 3, 15), { codec });

      // The client really compressed: every stored batch carries the codec's id.
      const stored = [0, 1, 2].flatMap((p) => broker.state.topics.partition(topic, p)?.batches ?? []);
      assert.deepEqual([...new Set(stored.map((b) => readHeader(b.data).compression))], [CODEC_ID[codec]]);

      const sub = await client.consume(topic, `${topic}-group`);
      await until(() => sub.messages.length === 30, 15000, `30 ${codec} messages`);
      await sub.close();
      for (const p of [0, 1, 2]) {
        const got = sub.messages.filter((m) => m.partition === p);
        const want = messages(codec, 30, 3).filter((m) => m.partition === p);
        assert.deepEqual(
          got.map((m) => [m.offset, m.key, m.value, m.headers.n]),
          want.map((m, i) => [i, m.key, m.value, m.headers?.n]),
        );
      }
      // Each partition got five records before the midpoint and five after.
      assert.equal(await client.offsetForTimestamp(topic, 1, midpoint), 5);
    });
  }

  test(`${name}: a consumer group commits its offsets and a new member resumes after them`, async () => {
    const client = clientNamed(name);
    const topic = `${name}-group`;
    await client.createTopic(topic, 3);
    await client.produce(topic, messages('g', 12, 3));
    const first = await client.consume(topic, `${name}-resume`);
    await until(() => first.messages.length === 12, 15000, 'the first 12 messages');
    await first.close();
    assert.deepEqual(await client.committed(`${name}-resume`, topic, [0, 1, 2]), [4, 4, 4]);

    await client.produce(topic, messages('g', 3, 3, 12));
    const second = await client.consume(topic, `${name}-resume`);
    await until(() => second.messages.length === 3, 15000, 'the 3 new messages');
    await second.close();
    assert.deepEqual(second.messages.map((m) => [m.partition, m.offset, m.value]).sort(), [
      [0, 4, 'g-12'],
      [1, 4, 'g-13'],
      [2, 4, 'g-14'],
    ]);
    assert.deepEqual(await client.committed(`${name}-resume`, topic, [0, 1, 2]), [5, 5, 5]);
  });

  test(`${name}: an idempotent producer writes its batch once, with a producer id and sequence`, async () => {
    const client = clientNamed(name);
    const topic = `${name}-idempotent`;
    await client.createTopic(topic, 1);
    await client.produce(topic, messages('i', 4, 1), { idempotent: true });
    const [batch] = broker.state.topics.partition(topic, 0)?.batches ?? [];
    const header = readHeader(batch?.data ?? Buffer.alloc(61));
    assert.deepEqual([header.producerId >= 0, header.producerEpoch, header.baseSequence, header.recordCount], [true, 0, 0, 4]);
    assert.equal(broker.state.topics.partition(topic, 0)?.nextOffset, 4);
  });

  test(`${name}: read_committed sees the committed transaction only`, async () => {
    const client = clientNamed(name);
    const topic = `${name}-txn`;
    await client.createTopic(topic, 1);
    const producer = await client.transactional(`${name}-txn-id`);
    await producer.transact(topic, messages('aborted', 3, 1), false);
    await producer.transact(topic, messages('committed', 3, 1), true);
    await producer.close();
    const committed = await client.consume(topic, `${name}-rc`);
    const all = await client.consume(topic, `${name}-ru`, { readCommitted: false });
    await until(() => committed.messages.length >= 3 && all.messages.length >= 6, 15000, 'both readers');
    await Promise.all([committed.close(), all.close()]);
    assert.deepEqual(
      committed.messages.map((m) => m.value),
      ['committed-0', 'committed-1', 'committed-2'],
    );
    assert.equal(all.messages.length, 6);
  });
}

for (const [writer, reader] of [
  ['kafkajs', 'platformatic'],
  ['platformatic', 'kafkajs'],
] as const) {
  test(`transactions written by ${writer} are read read_committed by ${reader}`, async () => {
    const topic = `${writer}-to-${reader}`;
    await clientNamed(writer).createTopic(topic, 2);
    const producer = await clientNamed(writer).transactional(`${topic}-id`);
    await producer.transact(topic, messages('aborted', 4, 2), false);
    await producer.transact(topic, messages('committed', 4, 2), true);
    // A last committed transaction: once the reader has it, it has passed every earlier record.
    await producer.transact(topic, messages('end', 2, 2), true);
    await producer.close();
    const sub = await clientNamed(reader).consume(topic, `${topic}-group`);
    await until(() => sub.messages.filter((m) => m.value.startsWith('end')).length === 2, 15000, 'the end markers');
    await sub.close();
    assert.deepEqual(sub.messages.map((m) => m.value).sort(), ['committed-0', 'committed-1', 'committed-2', 'committed-3', 'end-0', 'end-1']);
    const log = broker.state.topics.partition(topic, 0);
    assert.deepEqual(
      log?.aborted.map((a) => [a.firstOffset, a.lastOffset]),
      [[0, 2]],
    );
  });
}
