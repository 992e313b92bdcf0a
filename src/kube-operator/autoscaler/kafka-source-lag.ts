/**
 * Source lag from Kafka through kafkajs' admin client: the only module of the autoscaler that
 * talks to Kafka (the other way reads the job's metrics, source-lag.ts). Each collection asks for the partitions' offsets and the group's committed
 * offsets; what the lag then is, edge cases included, is source-lag.ts. kafkajs gives an admin
 * client no metadata max age, so every call refreshes topic metadata: partitions added while
 * running are in the next collection (the test adds some to prove it). A source reading a
 * topic pattern is measured on the topics the pattern matches at each collection, matched as
 * the source's reader matches them, so a topic created while running counts at once.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { installRequestQueueFix } from '../../connectors/kafka/client/request-queue-fix.ts';
import { sourceLagOf } from './source-lag.ts';
import type { PartitionOffsets, SourceLag, SourceLagCollector, StartingOffsets } from './source-lag.ts';

// The admin client's connections otherwise poll their empty request queues at 1 kHz.
installRequestQueueFix();

export interface KafkaSourceLagOptions {
  brokers: readonly string[];
  /** The job's consumer group, whose offsets the Kafka source commits on checkpoints. */
  groupId: string;
  /** The topics read: listed, or those a pattern (a RegExp's source and flags) matches now. */
  topics: readonly string[] | TopicPattern;
  /** The source's starting offsets for partitions without a committed offset. */
  startingOffsets: StartingOffsets;
  clientId?: string;
  now?: () => number;
}

export interface TopicPattern {
  pattern: string;
  flags: string;
}

export class KafkaSourceLag implements SourceLagCollector {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;

  constructor(private readonly options: KafkaSourceLagOptions) {
    this.kafka = new Kafka({ brokers: [...options.brokers], clientId: options.clientId ?? 'weir-autoscaler', logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  }

  async sourceLag(): Promise<SourceLag> {
    try {
      return await this.collect();
    } catch (err) {
      throw new WeirError('SOURCE_LAG_UNAVAILABLE', `cannot read the lag of group ${this.options.groupId} on ${describeTopics(this.options.topics)} from Kafka at ${this.options.brokers.join(',')}: ${errorMessage(err)}`, true, { cause: err });
    }
  }

  private async collect(): Promise<SourceLag> {
    const admin = await this.connected();
    const at = (this.options.now ?? Date.now)();
    const topics = await this.topicsRead(admin);
    if (topics.length === 0) throw new WeirError('SOURCE_LAG_UNAVAILABLE', 'no topic matches the pattern', true);
    const offsets: PartitionOffsets[] = [];
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) offsets.push({ topic, partition: o.partition, earliest: Number(o.low), latest: Number(o.high) });
    }
    const committed = new Map<string, number>();
    for (const t of await admin.fetchOffsets({ groupId: this.options.groupId, topics })) {
      for (const p of t.partitions) {
        // kafkajs answers -1 for a partition without a committed offset.
        const offset = Number(p.offset);
        if (offset >= 0) committed.set(`${t.topic}/${p.partition}`, offset);
      }
    }
    return sourceLagOf(at, offsets, committed, this.options.startingOffsets);
  }

  private async topicsRead(admin: Admin): Promise<string[]> {
    const t = this.options.topics;
    if (Array.isArray(t)) return [...(t as readonly string[])];
    const { pattern, flags } = t as TopicPattern;
    // As the source's reader matches: the pattern anywhere in the name, 'g' dropped.
    const matches = new RegExp(pattern, flags.replace('g', ''));
    return (await admin.listTopics()).filter((name) => matches.test(name)).sort();
  }

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect();
  }
}

function describeTopics(topics: readonly string[] | TopicPattern): string {
  return Array.isArray(topics) ? topics.join(', ') : `the topics matching /${(topics as TopicPattern).pattern}/${(topics as TopicPattern).flags}`;
}
