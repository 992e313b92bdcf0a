/**
 * From a stream value to a Kafka record (Flink's KafkaRecordSerializationSchema): the topic,
 * fixed or chosen per record, key and value serializers, a partitioner, headers, and the
 * record's timestamp (the stream's event time when it has one).
 */
import { WeirError } from '../../../errors/index.ts';
import type { KafkaHeaders, OutgoingRecord } from '../client/types.ts';

export type ValueSerializer<V> = (value: V) => Uint8Array | null;

const encoder = new TextEncoder();

export const Serializers = {
  string: ((v: string | null) => (v === null ? null : encoder.encode(v))) as ValueSerializer<string | null>,
  json: <V>(): ValueSerializer<V> => (v) => (v === null ? null : encoder.encode(JSON.stringify(v))),
  bytes: ((v: Uint8Array | null) => v) as ValueSerializer<Uint8Array | null>,
};

/** Picks a partition of `numPartitions` for a record; undefined leaves it to the client's partitioner (murmur2 of the key, as Kafka). */
export type KafkaPartitioner<T> = (value: T, key: Uint8Array | null, topic: string, numPartitions: number) => number | undefined;

export interface KafkaRecordSerializer<T> {
  readonly partitioner: KafkaPartitioner<T> | undefined;
  /** The record for `value`, without a partition yet when a partitioner is set. */
  serialize(value: T, timestamp: number): OutgoingRecord;
}

export class KafkaRecordSerializerBuilder<T> {
  private topic: ((value: T) => string) | undefined;
  private key: ((value: T) => Uint8Array | null) | undefined;
  private value: ((value: T) => Uint8Array | null) | undefined;
  private headers: ((value: T) => KafkaHeaders) | undefined;
  private partitioner: KafkaPartitioner<T> | undefined;

  setTopic(topic: string): this {
    this.topic = () => topic;
    return this;
  }
  setTopicSelector(select: (value: T) => string): this {
    this.topic = select;
    return this;
  }
  /** The key: a serializer of the value itself, or of a part of it picked by `select`. */
  setKeySerializationSchema<K>(serializer: ValueSerializer<K>, select?: (value: T) => K): this {
    this.key = (v) => serializer(select ? select(v) : (v as unknown as K));
    return this;
  }
  setValueSerializationSchema<V>(serializer: ValueSerializer<V>, select?: (value: T) => V): this {
    this.value = (v) => serializer(select ? select(v) : (v as unknown as V));
    return this;
  }
  setHeaders(headers: (value: T) => KafkaHeaders): this {
    this.headers = headers;
    return this;
  }
  setPartitioner(partitioner: KafkaPartitioner<T>): this {
    this.partitioner = partitioner;
    return this;
  }

  build(): KafkaRecordSerializer<T> {
    const { topic, key, value, headers, partitioner } = this;
    if (!topic) throw new WeirError('KAFKA_INVALID_CONFIGURATION', 'the Kafka record serializer needs a topic: setTopic(name) or setTopicSelector(fn)', false);
    if (!value) throw new WeirError('KAFKA_INVALID_CONFIGURATION', 'the Kafka record serializer needs a value serializer: setValueSerializationSchema(Serializers.string)', false);
    return {
      partitioner,
      serialize: (v, timestamp) => ({
        topic: topic(v),
        key: key ? key(v) : null,
        value: value(v),
        headers: headers ? headers(v) : undefined,
        timestamp: Number.isFinite(timestamp) ? timestamp : undefined,
      }),
    };
  }
}

export const KafkaRecordSerializers = {
  builder: <T>() => new KafkaRecordSerializerBuilder<T>(),
};
