/**
 * Turning fetched bytes into records: value-only (string, JSON, raw bytes or a function of
 * the value) or the whole record with key, value and metadata. A deserializer that throws
 * fails the job, or sends the record to the dead-letter output (`deserialization.failure`).
 */
import type { FetchedRecord, KafkaHeaders } from '../client/types.ts';

export interface KafkaRecordDeserializer<T> {
  deserialize(record: FetchedRecord): T;
}

/** Bytes to a value; null bytes (a tombstone) reach it as null. */
export type ValueDeserializer<V> = (bytes: Uint8Array | null) => V;

const decoder = new TextDecoder('utf-8', { fatal: true });

export const Deserializers = {
  string: ((b: Uint8Array | null) => (b === null ? null : decoder.decode(b))) as ValueDeserializer<string | null>,
  json: <V = unknown>(): ValueDeserializer<V | null> => (b) => (b === null ? null : (JSON.parse(decoder.decode(b)) as V)),
  bytes: ((b: Uint8Array | null) => b) as ValueDeserializer<Uint8Array | null>,
};

/** A record with its key, value and where it came from. */
export interface KafkaRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly headers: KafkaHeaders;
}

export const KafkaRecordDeserializers = {
  /** The value alone. */
  valueOnly<V>(value: ValueDeserializer<V>): KafkaRecordDeserializer<V> {
    return { deserialize: (r) => value(r.value) };
  },
  /** Key, value, topic, partition, offset, timestamp and headers. */
  keyValue<K, V>(key: ValueDeserializer<K>, value: ValueDeserializer<V>): KafkaRecordDeserializer<KafkaRecord<K, V>> {
    return {
      deserialize: (r) => ({ key: key(r.key), value: value(r.value), topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, headers: r.headers }),
    };
  },
  /** Any function of the fetched record. */
  of<T>(fn: (record: FetchedRecord) => T): KafkaRecordDeserializer<T> {
    return { deserialize: fn };
  },
};

/** What the dead-letter output carries for a record that failed to deserialize. */
export interface KafkaDeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly error: string;
}
