/** Test helpers: produce records to the test broker and read a topic back with a plain kafkajs client. */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import type { SASLOptions } from 'kafkajs';
import { installRequestQueueFix } from '../../../src/connectors/kafka/client/request-queue-fix.ts';

// The test's own clients too: an idle connection would poll at 1 kHz (and warn on Node 24).
installRequestQueueFix();

/** `ssl`: TLS options for an SSL or SASL_SSL test broker. */
export function kafkaClient(brokers: string[], clientId = 'test', sasl?: SASLOptions, ssl?: ConnectionOptions): Kafka {
  return new Kafka({ brokers, clientId, logLevel: logLevel.NOTHING, sasl, ssl });
}

export async function produce(
  brokers: string[],
  topic: string,
  records: { key?: string; value: string; partition?: number; timestamp?: number }[],
  sasl?: SASLOptions,
  ssl?: ConnectionOptions,
): Promise<void> {
  const producer = kafkaClient(brokers, 'test-producer', sasl, ssl).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, messages: records.map((r) => ({ key: r.key ?? null, value: r.value, partition: r.partition, timestamp: r.timestamp === undefined ? undefined : String(r.timestamp) })) });
  } finally {
    await producer.disconnect();
  }
}

/** Every record of `topic` a read_committed consumer sees, read with offsets from the start to the end. */
export async function readAll(
  brokers: string[],
  topic: string,
  readCommitted = true,
  sasl?: SASLOptions,
  ssl?: ConnectionOptions,
): Promise<{ key: string | null; value: string; partition: number; offset: number }[]> {
  const kafka = kafkaClient(brokers, 'test-reader', sasl, ssl);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(ends.map((e) => [e.partition, Number(e.offset)]));
  const out: { key: string | null; value: string; partition: number; offset: number }[] = [];
  if ([...want.values()].every((o) => o === 0)) return out;
  const consumer = kafka.consumer({ groupId: `reader-${Math.random()}`, readUncommitted: !readCommitted, sessionTimeout: 6000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const reached = new Map<number, number>();
    const check = () => {
      if ([...want].every(([p, end]) => end === 0 || (reached.get(p) ?? 0) >= end)) resolve();
    };
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) out.push({ key: m.key?.toString() ?? null, value: m.value!.toString(), partition: batch.partition, offset: Number(m.offset) });
          reached.set(batch.partition, Number(batch.lastOffset()) + 1);
          check();
        },
      })
      .catch(reject);
  });
  await done;
  await consumer.disconnect();
  return out;
}

/** A read_committed consumer of `topic` from its start that keeps every value it sees, until closed. */
export async function topicReader(brokers: string[], topic: string): Promise<{ values(): string[]; close(): Promise<void> }> {
  const consumer = kafkaClient(brokers, 'test-topic-reader').consumer({ groupId: `topic-reader-${Math.random()}`, sessionTimeout: 6000, maxWaitTimeInMs: 50 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value!.toString());
    },
  });
  return { values: () => [...seen].sort(), close: () => consumer.disconnect() };
}

export type Defer = (cleanup: () => unknown) => void;

/** Cleanups run last-registered first, so clients and jobs close before the broker they use stops. */
export function cleanups(t: { after(fn: () => Promise<void>): void }): Defer {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await fn();
  });
  return (fn) => void stack.push(fn);
}
