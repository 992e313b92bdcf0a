/**
 * Kafka -> Weir -> Kafka pass-through against a raw kafkajs consume-produce loop, on the same
 * test broker in the same run: the same input (`--kafka-messages` records of 100 bytes on 4
 * partitions) is copied to an output topic by each side; throughput is records over wall
 * time from start to the last record written (Weir's includes the job's start). Weir runs
 * AT_LEAST_ONCE (flush at checkpoints) and EXACTLY_ONCE (a transaction per checkpoint), each
 * a bounded job in this process at parallelism 1. Targets: ratios 0.7 and 0.5. An output
 * that lost or doubled records is a MISMATCH.
 *
 * Run alone: node --import tsx bench/kafka-connector.ts [--kafka-messages N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import { Dispatcher } from '../src/runtime/jobmanager/dispatcher.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, Serializers } from '../src/connectors/kafka/index.ts';
import type { DeliveryGuarantee } from '../src/connectors/kafka/index.ts';
import { startKafka } from '../test/support/kafka/index.ts';
import type { KafkaBroker } from '../test/support/kafka/index.ts';
import { intFlag, isMain } from './support/args.ts';
import { fmtRate, machineLine } from './support/report.ts';

const PARTITIONS = 4;
const TARGETS: Record<'AT_LEAST_ONCE' | 'EXACTLY_ONCE', number> = { AT_LEAST_ONCE: 0.7, EXACTLY_ONCE: 0.5 };

export interface KafkaConnectorBenchResult {
  messages: number;
  raw: number;
  weir: Record<'AT_LEAST_ONCE' | 'EXACTLY_ONCE', number>;
  mismatches: string[];
}

const client = (broker: KafkaBroker, id: string) => new Kafka({ brokers: broker.brokers, clientId: id, logLevel: logLevel.NOTHING });

async function fill(broker: KafkaBroker, messages: number): Promise<void> {
  const producer = client(broker, 'bench-fill').producer();
  await producer.connect();
  const value = Buffer.alloc(100, 'x');
  for (let sent = 0; sent < messages; ) {
    const n = Math.min(5000, messages - sent);
    await producer.send({ topic: 'in', messages: Array.from({ length: n }, (_, i) => ({ key: String(sent + i), value, partition: (sent + i) % PARTITIONS })) });
    sent += n;
  }
  await producer.disconnect();
}

/** Records in `topic` as a read_committed reader counts them: the last stable offsets, less transaction markers. */
async function committedCount(broker: KafkaBroker, topic: string): Promise<number> {
  const t = broker.state.topics.get(topic);
  if (!t) return 0;
  const consumer = client(broker, 'bench-count').consumer({ groupId: `count-${topic}`, maxWaitTimeInMs: 50 });
  const admin = client(broker, 'bench-count').admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = ends.filter((e) => Number(e.offset) > 0);
  if (want.length === 0) return 0;
  let count = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const reached = new Map<number, number>();
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          reached.set(batch.partition, Number(batch.lastOffset()) + 1);
          if (want.every((e) => (reached.get(e.partition) ?? 0) >= Number(e.offset))) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return count;
}

/**
 * A kafkajs consumer whose batches a kafkajs producer writes to `out-raw`, as a hand-written
 * bridge would; timed from its first batch, while Weir's runs are timed from submission.
 */
async function rawLoop(broker: KafkaBroker, messages: number): Promise<number> {
  const kafka = client(broker, 'bench-raw');
  const consumer = kafka.consumer({ groupId: 'bench-raw', maxWaitTimeInMs: 100 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: 'in', fromBeginning: true });
  // The clock starts at the first batch: kafkajs' group join (seconds) is not the loop's work.
  let started = Number.NaN;
  let copied = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (Number.isNaN(started)) started = performance.now();
          await producer.send({ topic: 'out-raw', acks: 1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, partition: batch.partition })) });
          copied += batch.messages.length;
          if (copied >= messages) resolve();
        },
      })
      .catch(reject);
  });
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return messages / seconds;
}

async function weir(broker: KafkaBroker, messages: number, guarantee: DeliveryGuarantee, out: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-kafka-'));
  try {
    const job = defineJob((env) => {
      env.setParallelism(1);
      env
        .fromSource(KafkaSource.builder().setBootstrapServers(broker.brokers).setTopics('in').setBounded().setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.bytes)).build(), WatermarkStrategy.noWatermarks(), 'in')
        .sinkTo(
          KafkaSink.builder<Uint8Array | null>()
            .setBootstrapServers(broker.brokers)
            .setDeliveryGuarantee(guarantee)
            .setTransactionalIdPrefix(`bench-${out}`)
            .setRecordSerializer(KafkaRecordSerializers.builder<Uint8Array | null>().setTopic(out).setValueSerializationSchema(Serializers.bytes).build())
            .build(),
          out,
        );
    });
    const started = performance.now();
    const master = await new Dispatcher().submit(job, { config: { 'execution.checkpointing.interval': '1s', 'state.checkpoints.dir': dir } });
    const result = await master.done;
    if (result.state !== 'FINISHED') throw new Error(`the ${guarantee} pass-through ended ${result.state}: ${result.error?.message ?? ''}`);
    return messages / ((performance.now() - started) / 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runKafkaConnectorBench(messages: number): Promise<KafkaConnectorBenchResult> {
  const broker = await startKafka({ topics: { in: PARTITIONS, 'out-raw': PARTITIONS, 'out-alo': PARTITIONS, 'out-eo': PARTITIONS } });
  try {
    await fill(broker, messages);
    const raw = await rawLoop(broker, messages);
    const alo = await weir(broker, messages, 'AT_LEAST_ONCE', 'out-alo');
    const eo = await weir(broker, messages, 'EXACTLY_ONCE', 'out-eo');
    const mismatches: string[] = [];
    for (const topic of ['out-raw', 'out-alo', 'out-eo']) {
      const n = await committedCount(broker, topic);
      if (n !== messages) mismatches.push(`kafka pass-through ${topic}: ${n} records, expected ${messages}`);
    }
    return { messages, raw, weir: { AT_LEAST_ONCE: alo, EXACTLY_ONCE: eo }, mismatches };
  } finally {
    await broker.stop();
  }
}

export function kafkaConnectorReport(r: KafkaConnectorBenchResult): string[] {
  const lines = [`Kafka -> Weir -> Kafka pass-through, ${r.messages} records of 100 bytes, ${PARTITIONS} partitions, test broker, parallelism 1; records per second, wall time`];
  lines.push(`raw kafkajs consume-produce loop: ${fmtRate(r.raw)}`);
  for (const g of ['AT_LEAST_ONCE', 'EXACTLY_ONCE'] as const) {
    const ratio = r.weir[g] / r.raw;
    lines.push(`weir ${g}: ${fmtRate(r.weir[g])}, ratio ${ratio.toFixed(2)} (target ${TARGETS[g]}): ${ratio >= TARGETS[g] ? 'meets target' : 'NOT met'}`);
  }
  for (const m of r.mismatches) lines.push(`MISMATCH ${m}`);
  return lines;
}

if (isMain(import.meta.url)) {
  const r = await runKafkaConnectorBench(intFlag('kafka-messages', 200_000));
  for (const line of kafkaConnectorReport(r)) console.log(line);
  console.log(machineLine());
  if (r.mismatches.length > 0) process.exitCode = 1;
}
