// The scenario driver for @platformatic/kafka, a client that negotiates the flexible protocol
// versions (Metadata 12, Produce 9, Fetch 13 with topic ids, OffsetFetch 8, ...).
import { Admin, Consumer, FetchIsolationLevels, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { KafkaBroker } from '../../index.ts';
import type { ClientSecurity, InMessage, OutMessage, Subscription, TestClient, TransactionalProducer } from './test-client.ts';

type StringProducer = Producer<string, string, string, string>;
type StringConsumer = Consumer<string, string, string, string>;

const toPlatformatic = (topic: string) => (m: OutMessage) => ({
  topic,
  key: m.key,
  value: m.value,
  partition: m.partition,
  headers: new Map(Object.entries(m.headers ?? {})),
});

export function platformaticClient(broker: KafkaBroker, security: ClientSecurity = {}): TestClient {
  const clientId = 'scenario-platformatic';
  // Every client of this driver connects the same way.
  const base = { clientId, bootstrapBrokers: broker.brokers, tls: security.tls, sasl: security.sasl };
  const admin = new Admin(base);
  const open = new Set<StringProducer | StringConsumer>();
  const consumer = (groupId: string, readCommitted = true): StringConsumer =>
    new Consumer({
      ...base,
      groupId,
      deserializers: stringDeserializers,
      maxWaitTime: 50,
      isolationLevel: readCommitted ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
    });
  return {
    name: 'platformatic',
    async createTopic(topic, partitions) {
      await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    },
    async partitionLeaders(topic) {
      const meta = await admin.metadata({ topics: [topic] });
      return (meta.topics.get(topic)?.partitions ?? []).map((p, i): [number, number] => [i, p.leader]);
    },
    async produce(topic, messages, opts = {}) {
      const producer: StringProducer = new Producer({ ...base, serializers: stringSerializers, idempotent: opts.idempotent === true });
      try {
        await producer.send({ messages: messages.map(toPlatformatic(topic)), compression: opts.codec ?? 'none' });
      } finally {
        await producer.close();
      }
    },
    async transactional(transactionalId) {
      const producer: StringProducer = new Producer({ ...base, serializers: stringSerializers, idempotent: true, transactionalId });
      open.add(producer);
      return {
        async transact(topic, messages, commit) {
          const txn = await producer.beginTransaction();
          await txn.send({ messages: messages.map(toPlatformatic(topic)) });
          await (commit ? txn.commit() : txn.abort());
        },
        async close() {
          open.delete(producer);
          await producer.close();
        },
      } satisfies TransactionalProducer;
    },
    async consume(topic, groupId, opts = {}) {
      const c = consumer(groupId, opts.readCommitted !== false);
      open.add(c);
      const stream = await c.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
      const messages: InMessage[] = [];
      stream.on('data', (m) => {
        messages.push({ partition: m.partition, offset: Number(m.offset), key: m.key, value: m.value, headers: Object.fromEntries(m.headers) });
      });
      return {
        messages,
        async close() {
          const next = new Map<number, number>();
          for (const m of messages) next.set(m.partition, Math.max(next.get(m.partition) ?? 0, m.offset + 1));
          if (next.size > 0) await c.commit({ offsets: [...next].map(([partition, offset]) => ({ topic, partition, offset: BigInt(offset), leaderEpoch: 0 })) });
          await stream.close();
          open.delete(c);
          await c.close();
        },
      } satisfies Subscription;
    },
    async committed(groupId, topic, partitions) {
      const c = consumer(groupId);
      try {
        const res = await c.listCommittedOffsets({ topics: [{ topic, partitions }] });
        return (res.get(topic) ?? []).map(Number);
      } finally {
        await c.close();
      }
    },
    async offsetForTimestamp(topic, partition, timestamp) {
      const c = consumer('offset-lookup');
      try {
        const res = await c.listOffsets({ topics: [topic], partitions: { [topic]: [partition] }, timestamp: BigInt(timestamp) });
        return Number(res.get(topic)?.[partition] ?? NaN);
      } finally {
        await c.close();
      }
    },
    async close() {
      for (const c of open) await c.close();
      await admin.close();
    },
  };
}
