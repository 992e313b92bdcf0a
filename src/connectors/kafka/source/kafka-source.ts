/**
 * Flink's KafkaSource: partitions are splits, read by the subtask `split-owner.ts` names;
 * each split's offset is the reader's checkpointed state (union, so a restore at any
 * parallelism finds every partition's offset) and the source of truth on restore; the
 * offsets of a completed checkpoint are committed to the consumer group.
 */
import type { Source, SourceDescription, SourceReader, SourceReaderContext } from '../../../api/source.ts';
import { OutputTag } from '../../../api/functions.ts';
import { securityOptions, securityProtocolOf } from '../client/security-properties.ts';
import { WeirError } from '../../../errors/index.ts';
import type { KafkaClientProperties } from '../client/types.ts';
import type { KafkaDeadLetter, KafkaRecordDeserializer } from './deserializers.ts';
import { OffsetsInitializers } from './offsets-initializer.ts';
import type { OffsetsInitializer } from './offsets-initializer.ts';
import { KafkaSourceReader } from './kafka-source-reader.ts';

/** Everything the builder collected; readers get it as it is. */
export interface KafkaSourceSettings<T> {
  readonly bootstrapServers: readonly string[];
  readonly topics: readonly string[] | RegExp;
  readonly groupId: string | undefined;
  readonly startingOffsets: OffsetsInitializer;
  /** Bounded: stop at the offsets that were latest when the reader started. */
  readonly bounded: boolean;
  readonly deserializer: KafkaRecordDeserializer<T>;
  readonly properties: KafkaClientProperties;
  /** `partition.discovery.interval.ms`; 0 or less: no discovery after start. */
  readonly discoveryIntervalMs: number;
  readonly commitOffsetsOnCheckpoint: boolean;
  readonly deadLetter: OutputTag<KafkaDeadLetter> | undefined;
}

export class KafkaSource<T> implements Source<T> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  readonly stateDistribution = 'union';

  /** The side output of records that failed to deserialize, with `deserialization.failure: dead-letter`. */
  static readonly DEAD_LETTER = new OutputTag<KafkaDeadLetter>('kafka-dead-letter');

  constructor(readonly settings: KafkaSourceSettings<T>) {
    this.boundedness = settings.bounded ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  static builder<T = string>(): KafkaSourceBuilder<T> {
    return new KafkaSourceBuilder<T>();
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    return new KafkaSourceReader<T>(this.settings, ctx);
  }

  /**
   * Servers, topics and the group the source commits to on checkpoints: enough to measure its
   * lag against committed offsets. The group only when it commits; a topic pattern as its
   * RegExp source and flags (`topicPattern`, `topicPatternFlags`), whose matches the lag
   * reader lists as the source's discovery does. `securityProtocol` says whether the
   * client is secured (an operator without the job's credentials then reads the lag from the
   * job's metrics); credentials and certificates never leave the job.
   */
  describe(): SourceDescription {
    const s = this.settings;
    return {
      type: 'kafka',
      bootstrapServers: [...s.bootstrapServers],
      ...(s.topics instanceof RegExp ? { topicPattern: s.topics.source, ...(s.topics.flags ? { topicPatternFlags: s.topics.flags } : {}) } : { topics: [...s.topics] }),
      ...(s.commitOffsetsOnCheckpoint && s.groupId !== undefined ? { groupId: s.groupId } : {}),
      startingOffsets: startingPoint(s.startingOffsets),
      securityProtocol: securityProtocolOf(s.properties),
    };
  }
}

/** Where a partition without a committed offset starts, as the lag counts it: from the start of the log, or from its end. */
function startingPoint(init: OffsetsInitializer): 'earliest' | 'latest' {
  switch (init.kind) {
    case 'earliest':
      return 'earliest';
    case 'latest':
    case 'timestamp':
      return 'latest';
    case 'committed':
      return init.fallback === 'latest' ? 'latest' : 'earliest';
    case 'specific':
      return init.fallback;
  }
}

const invalid = (message: string) => new WeirError('KAFKA_INVALID_CONFIGURATION', message, false);

export class KafkaSourceBuilder<T> {
  private servers: string[] = [];
  private topics: string[] | RegExp | undefined;
  private groupId: string | undefined;
  private starting: OffsetsInitializer = OffsetsInitializers.earliest();
  private bounded = false;
  private deserializer: KafkaRecordDeserializer<T> | undefined;
  private properties: Record<string, string | number | boolean | object> = {};

  setBootstrapServers(servers: string | readonly string[]): this {
    this.servers = typeof servers === 'string' ? servers.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [...servers];
    return this;
  }
  setTopics(...topics: (string | readonly string[])[]): this {
    this.topics = topics.flat();
    return this;
  }
  setTopicPattern(pattern: RegExp): this {
    this.topics = pattern;
    return this;
  }
  setGroupId(groupId: string): this {
    this.groupId = groupId;
    return this;
  }
  setStartingOffsets(init: OffsetsInitializer): this {
    this.starting = init;
    return this;
  }
  /** Stop at the offsets that are latest when the job starts: the source becomes bounded. */
  setBounded(): this {
    this.bounded = true;
    return this;
  }
  setDeserializer<U>(deserializer: KafkaRecordDeserializer<U>): KafkaSourceBuilder<U> {
    const self = this as unknown as KafkaSourceBuilder<U>;
    self.deserializer = deserializer;
    return self;
  }
  /** A client or source property by Kafka's name (client.id, security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.certificates, partition.discovery.interval.ms, ...). */
  setProperty(name: string, value: string | number | boolean | object): this {
    this.properties[name] = value;
    return this;
  }
  setProperties(props: Readonly<Record<string, string | number | boolean | object>>): this {
    Object.assign(this.properties, props);
    return this;
  }
  setClientIdPrefix(prefix: string): this {
    return this.setProperty('client.id', prefix);
  }

  build(): KafkaSource<T> {
    if (this.servers.length === 0) throw invalid('KafkaSource needs bootstrap servers: setBootstrapServers("host:port")');
    if (this.topics === undefined || (Array.isArray(this.topics) && this.topics.length === 0)) throw invalid('KafkaSource needs topics: setTopics(...) or setTopicPattern(/.../)');
    if (!this.deserializer) throw invalid('KafkaSource needs a deserializer: setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string))');
    if (this.starting.kind === 'committed' && this.groupId === undefined) throw invalid('committed starting offsets need a group id: setGroupId(...)');
    const p = this.properties;
    const discovery = Number(p['partition.discovery.interval.ms'] ?? (this.bounded ? -1 : 300_000));
    if (!Number.isFinite(discovery)) throw invalid(`partition.discovery.interval.ms must be a number, got ${String(p['partition.discovery.interval.ms'])}`);
    const failure = String(p['deserialization.failure'] ?? 'fail');
    if (failure !== 'fail' && failure !== 'dead-letter') throw invalid(`deserialization.failure must be "fail" or "dead-letter", got "${failure}"`);
    const commit = String(p['commit.offsets.on.checkpoint'] ?? 'true') !== 'false';
    // Security settings are checked here, not first when a reader connects.
    securityOptions(p);
    return new KafkaSource<T>({
      bootstrapServers: this.servers,
      topics: this.topics,
      groupId: this.groupId,
      startingOffsets: this.starting,
      bounded: this.bounded,
      deserializer: this.deserializer,
      properties: { ...p },
      discoveryIntervalMs: this.bounded ? -1 : discovery,
      commitOffsetsOnCheckpoint: commit && this.groupId !== undefined,
      deadLetter: failure === 'dead-letter' ? KafkaSource.DEAD_LETTER : undefined,
    });
  }
}
