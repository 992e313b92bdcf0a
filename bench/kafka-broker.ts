/**
 * Produce and consume throughput of the Kafka test broker (test/support/kafka) with each of
 * its two test clients, kafkajs and @platformatic/kafka, all in this process. Connector
 * benchmarks can subtract these figures to tell broker-plus-client cost from connector cost.
 *
 * Run alone: node --import tsx bench/kafka-broker.ts [--client kafkajs|platformatic] [--messages N] [--batch N] [--bytes N] [--partitions N] [--gzip]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { Consumer, Producer } from '@platformatic/kafka';
import { startKafka } from '../test/support/kafka/index.ts';
import type { KafkaBroker } from '../test/support/kafka/index.ts';
import { fmtRate, machineLine } from './support/report.ts';

export type KafkaBenchClient = 'kafkajs' | 'platformatic';

export interface KafkaBrokerBenchOptions {
  /** Messages produced, then consumed (default 100000). */
  messages?: number;
  /** Messages per producer.send call (default 1000). */
  batchSize?: number;
  /** Value size in bytes (default 100). */
  valueBytes?: number;
  /** Partitions of the benchmark topic (default 4). */
  partitions?: number;
  gzip?: boolean;
  /** The client library driving the broker (default kafkajs). */
  client?: KafkaBenchClient;
}

export interface KafkaBrokerBenchResult {
  client: KafkaBenchClient;
  messages: number;
  produceMessagesPerSecond: number;
  consumeMessagesPerSecond: number;
  produceSeconds: number;
  consumeSeconds: number;
}

interface Settings {
  messages: number;
  batchSize: number;
  partitions: number;
  value: Buffer;
  gzip: boolean;
}

interface Timings {
  produceSeconds: number;
  consumeSeconds: number;
}

export async function runKafkaBrokerBench(options: KafkaBrokerBenchOptions = {}): Promise<KafkaBrokerBenchResult> {
  const settings: Settings = {
    messages: options.messages ?? 100000,
    batchSize: options.batchSize ?? 1000,
    partitions: options.partitions ?? 4,
    value: Buffer.alloc(options.valueBytes ?? 100, 'x'),
    gzip: options.gzip === true,
  };
  const client = options.client ?? 'kafkajs';
  const broker = await startKafka({ topics: { bench: settings.partitions } });
  try {
    const t = client === 'kafkajs' ? await withKafkajs(broker, settings) : await withPlatformatic(broker, settings);
    if (broker.errors.length > 0) throw new Error(`the broker failed ${broker.errors.length} requests during the benchmark`);
    return {
      client,
      messages: settings.messages,
      produceMessagesPerSecond: Math.round(settings.messages / t.produceSeconds),
      consumeMessagesPerSecond: Math.round(settings.messages / t.consumeSeconds),
      ...t,
    };
  } finally {
    await broker.stop();
  }
}

async function withPlatformatic(broker: KafkaBroker, { messages, batchSize, partitions, value, gzip }: Settings): Promise<Timings> {
  const producer = new Producer({ clientId: 'bench', bootstrapBrokers: broker.brokers });
  const produceStart = performance.now();
  for (let sent = 0; sent < messages; sent += batchSize) {
    const n = Math.min(batchSize, messages - sent);
    await producer.send({
      compression: gzip ? 'gzip' : 'none',
      messages: Array.from({ length: n }, (_, i) => ({ topic: 'bench', key: Buffer.from(String(sent + i)), value, partition: (sent + i) % partitions })),
    });
  }
  const produceSeconds = (performance.now() - produceStart) / 1000;
  await producer.close();

  const consumer = new Consumer({ clientId: 'bench', groupId: 'bench', bootstrapBrokers: broker.brokers, maxWaitTime: 100 });
  // consume() resolves once the group is joined, so join time is not counted.
  const stream = await consumer.consume({ topics: ['bench'], mode: 'earliest', autocommit: false });
  const consumeStart = performance.now();
  let consumed = 0;
  for await (const message of stream) {
    if (message.topic === 'bench') consumed++;
    if (consumed >= messages) break;
  }
  const consumeSeconds = (performance.now() - consumeStart) / 1000;
  await stream.close();
  await consumer.close();
  return { produceSeconds, consumeSeconds };
}

async function withKafkajs(broker: KafkaBroker, { messages, batchSize, partitions, value, gzip }: Settings): Promise<Timings> {
  const kafka = new Kafka({ clientId: 'bench', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const produceStart = performance.now();
  for (let sent = 0; sent < messages; sent += batchSize) {
    const n = Math.min(batchSize, messages - sent);
    await producer.send({
      topic: 'bench',
      compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: Array.from({ length: n }, (_, i) => ({ key: String(sent + i), value, partition: (sent + i) % partitions })),
    });
  }
  const produceSeconds = (performance.now() - produceStart) / 1000;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'bench', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'bench', fromBeginning: true });
  let consumed = 0;
  // The clock starts when the group is joined, so join/rebalance time is not counted.
  let consumeStart = performance.now();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    consumeStart = performance.now();
  });
  const done = new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          consumed += batch.messages.length;
          if (consumed >= messages) resolve();
        },
      })
      .catch(reject);
  });
  await done;
  const consumeSeconds = (performance.now() - consumeStart) / 1000;
  await consumer.disconnect();
  return { produceSeconds, consumeSeconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      batch: { type: 'string' },
      bytes: { type: 'string' },
      partitions: { type: 'string' },
      gzip: { type: 'boolean', default: false },
      client: { type: 'string', default: 'kafkajs' },
    },
  });
  if (values.client !== 'kafkajs' && values.client !== 'platformatic') throw new Error(`--client must be kafkajs or platformatic, not ${values.client}`);
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const result = await runKafkaBrokerBench({
    messages: num(values.messages),
    batchSize: num(values.batch),
    valueBytes: num(values.bytes),
    partitions: num(values.partitions),
    gzip: values.gzip,
    client: values.client,
  });
  console.log(machineLine());
  console.log(
    `kafka test broker with ${result.client}: produce ${fmtRate(result.produceMessagesPerSecond)} msg/s, consume ${fmtRate(result.consumeMessagesPerSecond)} msg/s (${result.messages} messages)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
