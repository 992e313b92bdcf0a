/**
 * kafkajs produce and consume throughput against the Kafka test broker
 * (test/support/kafka), both in this process. Connector benchmarks can subtract these
 * figures to tell broker-plus-client cost from connector cost.
 *
 * Run alone: node --import tsx bench/kafka-broker.ts [--messages N] [--batch N] [--bytes N] [--partitions N] [--gzip]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { startKafka } from '../test/support/kafka/index.ts';

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
}

export interface KafkaBrokerBenchResult {
  messages: number;
  produceMessagesPerSecond: number;
  consumeMessagesPerSecond: number;
  produceSeconds: number;
  consumeSeconds: number;
}

export async function runKafkaBrokerBench(options: KafkaBrokerBenchOptions = {}): Promise<KafkaBrokerBenchResult> {
  const messages = options.messages ?? 100000;
  const batchSize = options.batchSize ?? 1000;
  const partitions = options.partitions ?? 4;
  const value = Buffer.alloc(options.valueBytes ?? 100, 'x');
  const broker = await startKafka({ topics: { bench: partitions } });
  const kafka = new Kafka({ clientId: 'bench', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  try {
    const producer = kafka.producer();
    await producer.connect();
    const produceStart = performance.now();
    for (let sent = 0; sent < messages; sent += batchSize) {
      const n = Math.min(batchSize, messages - sent);
      await producer.send({
        topic: 'bench',
        compression: options.gzip === true ? CompressionTypes.GZIP : CompressionTypes.None,
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
    return {
      messages,
      produceMessagesPerSecond: Math.round(messages / produceSeconds),
      consumeMessagesPerSecond: Math.round(messages / consumeSeconds),
      produceSeconds,
      consumeSeconds,
    };
  } finally {
    await broker.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      batch: { type: 'string' },
      bytes: { type: 'string' },
      partitions: { type: 'string' },
      gzip: { type: 'boolean', default: false },
    },
  });
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const result = await runKafkaBrokerBench({
    messages: num(values.messages),
    batchSize: num(values.batch),
    valueBytes: num(values.bytes),
    partitions: num(values.partitions),
    gzip: values.gzip,
  });
  console.log(
    `kafka test broker: produce ${result.produceMessagesPerSecond} msg/s, consume ${result.consumeMessagesPerSecond} msg/s (${result.messages} messages)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
