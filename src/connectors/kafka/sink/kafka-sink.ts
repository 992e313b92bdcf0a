/**
 * Flink's KafkaSink with its three delivery guarantees: NONE (records are sent, failures
 * surface, nothing waits), AT_LEAST_ONCE (the barrier waits until everything sent before it
 * is acknowledged) and EXACTLY_ONCE (transactions on the two-phase-commit base,
 * exactly-once-kafka-sink.ts).
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../../../api/source.ts';
import { WeirError } from '../../../errors/index.ts';
import { securityOptions } from '../client/security-properties.ts';
import { parseCompression } from '../client/compression.ts';
import type { Compression, KafkaClientProperties } from '../client/types.ts';
import type { KafkaRecordSerializer } from './record-serializer.ts';
import { ExactlyOnceKafkaSink } from './exactly-once-kafka-sink.ts';
import { KafkaSinkWriter } from './kafka-sink-writer.ts';

export type DeliveryGuarantee = 'NONE' | 'AT_LEAST_ONCE' | 'EXACTLY_ONCE';

export interface KafkaSinkSettings<T> {
  readonly bootstrapServers: readonly string[];
  readonly serializer: KafkaRecordSerializer<T>;
  readonly guarantee: DeliveryGuarantee;
  readonly transactionalIdPrefix: string | undefined;
  readonly properties: KafkaClientProperties;
  /** 0, 1 or -1 (all); EXACTLY_ONCE always -1. */
  readonly acks: number;
  readonly compression: Compression;
  readonly transactionTimeoutMs: number;
  /** Transactional ids per subtask, reused once no restorable checkpoint records their last transaction. */
  readonly transactionIdPoolSize: number;
}

export class KafkaSink<T> implements Sink<T> {
  private readonly delegate: Sink<T>;

  constructor(readonly settings: KafkaSinkSettings<T>) {
    this.delegate = settings.guarantee === 'EXACTLY_ONCE' ? new ExactlyOnceKafkaSink<T>(settings) : { createWriter: (ctx) => new KafkaSinkWriter<T>(settings, ctx) };
  }

  static builder<T>(): KafkaSinkBuilder<T> {
    return new KafkaSinkBuilder<T>();
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    return this.delegate.createWriter(ctx);
  }
}

const invalid = (message: string) => new WeirError('KAFKA_INVALID_CONFIGURATION', message, false);

export class KafkaSinkBuilder<T> {
  private servers: string[] = [];
  private serializer: KafkaRecordSerializer<T> | undefined;
  private guarantee: DeliveryGuarantee = 'NONE';
  private prefix: string | undefined;
  private properties: Record<string, string | number | boolean | object> = {};

  setBootstrapServers(servers: string | readonly string[]): this {
    this.servers = typeof servers === 'string' ? servers.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [...servers];
    return this;
  }
  setRecordSerializer(serializer: KafkaRecordSerializer<T>): this {
    this.serializer = serializer;
    return this;
  }
  setDeliveryGuarantee(guarantee: DeliveryGuarantee): this {
    this.guarantee = guarantee;
    return this;
  }
  /** Required for EXACTLY_ONCE: transactional ids are `<prefix>-<subtask>-<n>`; unique per job on a cluster. */
  setTransactionalIdPrefix(prefix: string): this {
    this.prefix = prefix;
    return this;
  }
  /** A producer property by Kafka's name (acks, compression.type, transaction.timeout.ms, client.id, security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.certificates, ...). */
  setProperty(name: string, value: string | number | boolean | object): this {
    this.properties[name] = value;
    return this;
  }

  setProperties(props: Readonly<Record<string, string | number | boolean | object>>): this {
    Object.assign(this.properties, props);
    return this;
  }

  build(): KafkaSink<T> {
    if (this.servers.length === 0) throw invalid('KafkaSink needs bootstrap servers: setBootstrapServers("host:port")');
    if (!this.serializer) throw invalid('KafkaSink needs a record serializer: setRecordSerializer(KafkaRecordSerializers.builder().setTopic(...)...build())');
    if (!['NONE', 'AT_LEAST_ONCE', 'EXACTLY_ONCE'].includes(this.guarantee)) throw invalid(`unknown delivery guarantee ${String(this.guarantee)}: NONE, AT_LEAST_ONCE or EXACTLY_ONCE`);
    const p = this.properties;
    const exactlyOnce = this.guarantee === 'EXACTLY_ONCE';
    if (exactlyOnce && (this.prefix === undefined || this.prefix.length === 0)) throw invalid('EXACTLY_ONCE needs a transactional id prefix: setTransactionalIdPrefix("my-job")');
    const acksRaw = String(p['acks'] ?? (this.guarantee === 'NONE' ? '1' : 'all'));
    const acks = acksRaw === 'all' ? -1 : Number(acksRaw);
    if (![0, 1, -1].includes(acks)) throw invalid(`acks must be 0, 1, -1 or all, got ${acksRaw}`);
    if (exactlyOnce && acks !== -1) throw invalid('EXACTLY_ONCE needs acks=all');
    const timeout = Number(p['transaction.timeout.ms'] ?? 60_000);
    if (!(timeout > 0)) throw invalid(`transaction.timeout.ms must be a positive number, got ${String(p['transaction.timeout.ms'])}`);
    const pool = Number(p['transactional.id.pool.size'] ?? 5);
    // An id is held from its transaction's start until a checkpoint after its commit completed: three intervals at least.
    if (!Number.isInteger(pool) || pool < 3) throw invalid(`transactional.id.pool.size must be a whole number >= 3, got ${String(p['transactional.id.pool.size'])}`);
    // Security settings are checked here, not first when a writer connects.
    securityOptions(p);
    return new KafkaSink<T>({
      bootstrapServers: this.servers,
      serializer: this.serializer,
      guarantee: this.guarantee,
      transactionalIdPrefix: this.prefix,
      properties: { ...p },
      acks,
      compression: parseCompression(p['compression.type']),
      transactionTimeoutMs: timeout,
      transactionIdPoolSize: pool,
    });
  }
}
