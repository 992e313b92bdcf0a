// The scenario driver for kafkajs 2.2.4. kafkajs ships only gzip; snappy and lz4 are
// registered here from @platformatic/wasm-utils (independent of the broker's codecs, reading
// xerial-framed snappy too) and zstd from node:zlib, as a kafkajs user plugs codecs in.
import zlib from 'node:zlib';
import kafkajs, { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import type { Consumer, Producer, SASLOptions } from 'kafkajs';
import { lz4Compress, lz4Decompress, snappyCompress, snappyDecompress } from '@platformatic/wasm-utils';
import type { KafkaBroker } from '../../index.ts';
import type { ClientSecurity, Codec, InMessage, OutMessage, Subscription, TestClient, TransactionalProducer } from './test-client.ts';

interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** snappy-java's stream framing (what Kafka itself writes) around raw Snappy blocks. */
function unsnappy(buffer: Buffer): Buffer {
  if (!buffer.subarray(0, 8).equals(XERIAL_MAGIC)) return snappyDecompress(buffer);
  const blocks: Buffer[] = [];
  for (let s = 16; s < buffer.length; s += 4 + buffer.readInt32BE(s)) blocks.push(snappyDecompress(buffer.subarray(s + 4, s + 4 + buffer.readInt32BE(s))));
  return Buffer.concat(blocks);
}

// kafkajs is CommonJS: its codec registry is reachable only through the module object.
const { CompressionCodecs } = kafkajs;
const zstd = zlib as unknown as { zstdCompressSync: (b: Buffer) => Buffer; zstdDecompressSync: (b: Buffer) => Buffer };
const codec = (compress: (b: Buffer) => Buffer, decompress: (b: Buffer) => Buffer) => (): KafkajsCodec => ({
  compress: async (encoder) => compress(encoder.buffer),
  decompress: async (buffer) => decompress(buffer),
});
CompressionCodecs[CompressionTypes.Snappy] = codec(snappyCompress, unsnappy);
CompressionCodecs[CompressionTypes.LZ4] = codec(lz4Compress, lz4Decompress);
CompressionCodecs[CompressionTypes.ZSTD] = codec(
  (b) => zstd.zstdCompressSync(b),
  (b) => zstd.zstdDecompressSync(b),
);

const TYPES: Record<Codec, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

const toKafkajs = (m: OutMessage) => ({ key: m.key, value: m.value, partition: m.partition, headers: m.headers });

const SASL = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;

export function kafkajsClient(broker: KafkaBroker, security: ClientSecurity = {}): TestClient {
  // kafkajs types each mechanism apart; the three share one shape.
  const sasl = security.sasl === undefined ? undefined : ({ ...security.sasl, mechanism: SASL[security.sasl.mechanism] } as SASLOptions);
  const kafka = new Kafka({ clientId: 'scenario-kafkajs', brokers: broker.brokers, ssl: security.tls, sasl, logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 } });
  const admin = kafka.admin();
  const open = new Set<Producer | Consumer>();
  let connected: Promise<void> | null = null;
  const adminReady = (): Promise<void> => (connected ??= admin.connect());
  return {
    name: 'kafkajs',
    async createTopic(topic, partitions) {
      await adminReady();
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    },
    async partitionLeaders(topic) {
      await adminReady();
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return (meta.topics[0]?.partitions ?? []).map((p): [number, number] => [p.partitionId, p.leader]).sort((a, b) => a[0] - b[0]);
    },
    async produce(topic, messages, opts = {}) {
      const producer = kafka.producer({ idempotent: opts.idempotent === true, maxInFlightRequests: opts.idempotent === true ? 1 : undefined });
      await producer.connect();
      try {
        await producer.send({ topic, compression: TYPES[opts.codec ?? 'none'], messages: messages.map(toKafkajs) });
      } finally {
        await producer.disconnect();
      }
    },
    async transactional(transactionalId) {
      const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      open.add(producer);
      return {
        async transact(topic, messages, commit) {
          const txn = await producer.transaction();
          await txn.send({ topic, messages: messages.map(toKafkajs) });
          await (commit ? txn.commit() : txn.abort());
        },
        async close() {
          open.delete(producer);
          await producer.disconnect();
        },
      } satisfies TransactionalProducer;
    },
    async consume(topic, groupId, opts = {}) {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, readUncommitted: opts.readCommitted === false });
      const messages: InMessage[] = [];
      await consumer.connect();
      open.add(consumer);
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          messages.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
        },
      });
      return {
        messages,
        async close() {
          open.delete(consumer);
          // kafkajs commits the offsets it resolved when the consumer stops.
          await consumer.disconnect();
        },
      } satisfies Subscription;
    },
    async committed(groupId, topic, partitions) {
      await adminReady();
      const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return partitions.map((p) => Number(res?.partitions.find((x) => x.partition === p)?.offset ?? -1));
    },
    async offsetForTimestamp(topic, partition, timestamp) {
      await adminReady();
      const res = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
      return Number(res.find((p) => p.partition === partition)?.offset ?? NaN);
    },
    async close() {
      for (const c of open) await c.disconnect();
      if (connected !== null) await admin.disconnect();
    },
  };
}
