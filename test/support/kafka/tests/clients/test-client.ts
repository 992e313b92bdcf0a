// What the shared broker scenarios need from a Kafka client. Each client library gets a thin
// driver behind this interface, so the same scenarios run against kafkajs and
// @platformatic/kafka and the broker is tested on behaviour, not on one client's habits.
import zlib from 'node:zlib';
import type { ConnectionOptions } from 'node:tls';

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** Kafka's codec ids in a record batch's attributes. */
export const CODEC_ID: Readonly<Record<Codec, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** Both clients compress zstd with node:zlib, which has it from Node 22.15 (the npm scripts run Node 24). */
export const clientZstd = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

/** How a driver connects to an SSL, SASL_PLAINTEXT or SASL_SSL listener, in neither client's shape. */
export interface ClientSecurity {
  /** TLS on, with these options (CA, client certificate). */
  tls?: ConnectionOptions;
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
}

export interface OutMessage {
  key: string;
  value: string;
  partition: number;
  headers?: Record<string, string>;
}

export interface InMessage {
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface Subscription {
  /** Messages in arrival order. */
  readonly messages: InMessage[];
  /** Commits the next offset after every message seen, then leaves the group. */
  close(): Promise<void>;
}

export interface TransactionalProducer {
  /** One transaction: sends the messages, then commits or aborts. */
  transact(topic: string, messages: OutMessage[], commit: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface TestClient {
  readonly name: string;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Partition ids and their leader, from a metadata request. */
  partitionLeaders(topic: string): Promise<[number, number][]>;
  produce(topic: string, messages: OutMessage[], opts?: { codec?: Codec; idempotent?: boolean }): Promise<void>;
  transactional(transactionalId: string): Promise<TransactionalProducer>;
  consume(topic: string, groupId: string, opts?: { readCommitted?: boolean }): Promise<Subscription>;
  /** Committed offsets of the group, by partition (-1: none). */
  committed(groupId: string, topic: string, partitions: number[]): Promise<number[]>;
  /** ListOffsets: the first offset at or after `timestamp` (-1: none). */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number>;
  close(): Promise<void>;
}
