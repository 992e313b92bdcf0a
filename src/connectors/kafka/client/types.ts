/**
 * What the source and sink know of a Kafka client: plain values, no client library types,
 * so the client behind `kafka-client.ts` can be replaced without touching them.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export type KafkaHeaders = Record<string, Uint8Array | Uint8Array[]>;

/** A record as fetched: key and value are the raw bytes. */
export interface FetchedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: KafkaHeaders;
}

/** One partition's part of a fetch. */
export interface PartitionFetch extends TopicPartition {
  readonly records: FetchedRecord[];
  /** The offset to fetch next (past control records and aborted data too). */
  readonly nextOffset: number;
  /** The log end (read_committed: the last stable offset): what lag is measured against. */
  readonly endOffset: number;
}

/** A record to produce; partition undefined lets the client's partitioner choose. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers?: KafkaHeaders;
  readonly timestamp?: number;
}

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/**
 * Client properties by Kafka's names (`bootstrap.servers` comes from the builder). Known:
 * client.id, request.timeout.ms, connections.max.idle.ms is ignored, socket.connection.setup.timeout.ms,
 * retries, retry.backoff.ms, retry.backoff.max.ms, allow.auto.create.topics; security.protocol
 * (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), sasl.mechanism (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512) and sasl.jaas.config (security-properties.ts); the PEM forms of the ssl.*
 * keys (ssl-properties.ts: ssl.truststore.*, ssl.keystore.*, ssl.key.password,
 * ssl.endpoint.identification.algorithm, ssl.enabled.protocols, ssl.protocol); and, as
 * before, the objects `ssl` and `sasl` as the client takes them (not together with the keys).
 */
export type KafkaClientProperties = Readonly<Record<string, string | number | boolean | object>>;

/** A transaction as a checkpoint records it: enough to commit it from another process. */
export interface KafkaTransactionHandle {
  readonly transactionalId: string;
  readonly producerId: string;
  readonly epoch: number;
}
