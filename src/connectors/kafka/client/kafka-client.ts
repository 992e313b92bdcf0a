/**
 * The connector's one door to Kafka: metadata, offsets, fetching assigned partitions,
 * committing group offsets and producing, on kafkajs. Source and sink logic use only this
 * class and `types.ts`; swapping the client library means rewriting this folder alone.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { WeirError } from '../../../errors/index.ts';
import { READ_COMMITTED, READ_UNCOMMITTED, TRANSACTION_COORDINATOR, filterBatch, newCluster, silentLogger } from './kafkajs-internals.ts';
import type { KafkajsCluster, KafkajsFetchPartition, KafkajsLogger } from './kafkajs-internals.ts';
import { clientOptions, toBuffers, toClientError, toHeaders } from './client-options.ts';
import { authenticationOf } from './security-properties.ts';
import type { ClientAuthentication } from './security-properties.ts';
import { compressionCode } from './compression.ts';
import { installRequestQueueFix } from './request-queue-fix.ts';
import type { Compression, FetchedRecord, KafkaClientProperties, OffsetSpec, OutgoingRecord, PartitionFetch, TopicPartition } from './types.ts';

// Every connection of every client otherwise polls its empty request queue at 1 kHz.
installRequestQueueFix();

export interface FetchOptions {
  maxWaitMs: number;
  maxBytesPerPartition: number;
}

export class KafkaClient {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly cluster: KafkajsCluster;
  readonly logger: KafkajsLogger = silentLogger();
  private connected: Promise<void> | undefined;
  /** For error messages: the SASL mechanism the client authenticates with, if any, and whether it speaks TLS. */
  readonly authentication: ClientAuthentication;

  constructor(
    readonly bootstrapServers: readonly string[],
    readonly properties: KafkaClientProperties = {},
    readonly readCommitted = true,
  ) {
    const o = clientOptions(bootstrapServers, properties);
    this.authentication = authenticationOf(properties);
    this.kafka = new Kafka({ ...o, logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
    this.cluster = newCluster({
      ...o,
      allowAutoTopicCreation: false,
      isolationLevel: readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
      logger: this.logger,
    });
  }

  get autoCreateTopics(): boolean {
    const v = this.properties['allow.auto.create.topics'];
    return v === true || v === 'true';
  }

  connect(): Promise<void> {
    this.connected ??= (async () => {
      await this.admin.connect();
      await this.cluster.connect();
    })().catch((err: unknown) => {
      this.connected = undefined;
      throw toClientError('connect', this.bootstrapServers, err, this.authentication);
    });
    return this.connected;
  }

  /** Topic names on the cluster. */
  async listTopics(): Promise<string[]> {
    return this.call('list topics', () => this.admin.listTopics());
  }

  /**
   * The partitions of the named topics; a missing topic is created when auto-creation is on,
   * otherwise it is a non-retriable error naming it.
   */
  async partitionsOf(topics: readonly string[]): Promise<TopicPartition[]> {
    if (topics.length === 0) return [];
    const existing = new Set(await this.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      if (!this.autoCreateTopics) {
        throw new WeirError('KAFKA_TOPIC_NOT_FOUND', `Kafka topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist on ${this.bootstrapServers.join(',')}; create ${missing.length > 1 ? 'them' : 'it'} or set allow.auto.create.topics=true`, false);
      }
      await this.call('create topics', () => this.admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true }));
    }
    const { topics: meta } = await this.call('fetch metadata', () => this.admin.fetchTopicMetadata({ topics: [...topics] }));
    return meta.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId }))).sort(byTopicPartition);
  }

  /** Offsets of the partitions at `spec`; a timestamp past the last record gives the end. */
  async offsetsAt(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const byTopic = groupByTopic(partitions);
    const ask = (fromTimestamp: number | undefined, fromBeginning: boolean) =>
      this.call('list offsets', async () => {
        await this.ensureMetadata(partitions);
        return this.cluster.fetchTopicsOffset([...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.map((p) => ({ partition: p.partition })), fromBeginning, fromTimestamp })));
      });
    const res = await ask(typeof spec === 'object' ? spec.timestamp : undefined, spec === 'earliest');
    const missing: TopicPartition[] = [];
    for (const t of res)
      for (const p of t.partitions) {
        const o = Number(p.offset);
        if (o < 0) missing.push({ topic: t.topic, partition: p.partition });
        else out.set(key(t.topic, p.partition), o);
      }
    if (missing.length > 0) for (const [k, v] of await this.offsetsAt(missing, 'latest')) out.set(k, v);
    return out;
  }

  /** The group's committed offsets of these partitions (absent: none committed). */
  async committedOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const topics = [...groupByTopic(partitions).keys()];
    if (topics.length === 0) return out;
    const res = await this.call('fetch group offsets', () => this.admin.fetchOffsets({ groupId, topics }));
    for (const t of res) for (const p of t.partitions) if (Number(p.offset) >= 0) out.set(key(t.topic, p.partition), Number(p.offset));
    return out;
  }

  /** Commits offsets to a group without joining it (generation -1), as Flink's source does. */
  async commitOffsets(groupId: string, offsets: readonly (TopicPartition & { offset: number })[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.call('commit offsets', async () => {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId });
      await coordinator.offsetCommit({
        groupId,
        groupGenerationId: -1,
        memberId: '',
        topics: [...groupByTopic(offsets)].map(([topic]) => ({
          topic,
          partitions: offsets.filter((o) => o.topic === topic).map((o) => ({ partition: o.partition, offset: String(o.offset) })),
        })),
      });
    });
  }

  /** One fetch of the given partitions from their leaders, from each one's offset. */
  async fetch(positions: readonly (TopicPartition & { offset: number })[], o: FetchOptions): Promise<PartitionFetch[]> {
    if (positions.length === 0) return [];
    return this.call('fetch', async () => {
      const byTopic = groupByTopic(positions);
      await this.ensureMetadata(positions);
      const byLeader = new Map<string, (TopicPartition & { offset: number })[]>();
      for (const [topic, ps] of byTopic) {
        const leaders = this.cluster.findLeaderForPartitions(topic, ps.map((p) => p.partition));
        for (const [nodeId, parts] of Object.entries(leaders)) {
          const list = byLeader.get(nodeId) ?? [];
          for (const p of positions) if (p.topic === topic && parts.includes(p.partition)) list.push(p);
          byLeader.set(nodeId, list);
        }
      }
      const results = await Promise.all(
        [...byLeader].map(async ([nodeId, ps]) => {
          const broker = await this.cluster.findBroker({ nodeId });
          const offsetOf = new Map(ps.map((p) => [key(p.topic, p.partition), p.offset]));
          const { responses } = await broker.fetch({
            isolationLevel: this.readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
            maxWaitTime: o.maxWaitMs,
            minBytes: 1,
            maxBytes: o.maxBytesPerPartition * ps.length,
            topics: [...groupByTopic(ps)].map(([topic, parts]) => ({
              topic,
              partitions: parts.map((p) => ({ partition: p.partition, fetchOffset: String(p.offset), maxBytes: o.maxBytesPerPartition })),
            })),
          });
          return responses.flatMap((r) => r.partitions.map((p) => toPartitionFetch(r.topicName, p, offsetOf.get(key(r.topicName, p.partition)) ?? 0, this.readCommitted)));
        }),
      );
      return results.flat();
    });
  }

  /** A plain (optionally idempotent) producer; the sink's NONE and AT_LEAST_ONCE modes. */
  producer(opts: { idempotent: boolean }): KafkaProducer {
    return new KafkaProducer(this.kafka.producer({ idempotent: opts.idempotent, allowAutoTopicCreation: this.autoCreateTopics, maxInFlightRequests: opts.idempotent ? 1 : undefined }), this.bootstrapServers, this.authentication);
  }

  /** Commits (or aborts) a transaction recorded in a checkpoint, from any process. */
  async endRecordedTransaction(h: { transactionalId: string; producerId: string; epoch: number }, commit: boolean): Promise<'done' | 'fenced'> {
    try {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId: h.transactionalId, coordinatorType: TRANSACTION_COORDINATOR });
      await coordinator.endTxn({ transactionalId: h.transactionalId, producerId: h.producerId, producerEpoch: h.epoch, transactionResult: commit });
      return 'done';
    } catch (err) {
      // The id moved on (a later epoch): the recorded transaction was ended before.
      const type = (err as { type?: string }).type;
      if (type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || type === 'INVALID_TXN_STATE' || type === 'INVALID_PRODUCER_ID_MAPPING') return 'fenced';
      throw toClientError(commit ? 'commit a recorded transaction' : 'abort a recorded transaction', this.bootstrapServers, err, this.authentication);
    }
  }

  /** The cluster's cached metadata knows every partition's leader (partitions added since are looked up). */
  private async ensureMetadata(partitions: readonly TopicPartition[]): Promise<void> {
    const byTopic = groupByTopic(partitions);
    await this.cluster.addMultipleTargetTopics([...byTopic.keys()]);
    const known = (): boolean => {
      for (const [topic, ps] of byTopic) {
        const leaders = Object.values(this.cluster.findLeaderForPartitions(topic, ps.map((p) => p.partition)));
        if (leaders.reduce((n, l) => n + l.length, 0) < ps.length) return false;
      }
      return true;
    };
    if (!known()) await this.cluster.refreshMetadata();
    if (!known()) throw new WeirError('KAFKA_REQUEST_FAILED', `Kafka on ${this.bootstrapServers.join(',')} names no leader for some of ${partitions.map((p) => key(p.topic, p.partition)).join(', ')}`, true);
  }

  /** @internal for the transactional producer in this folder */
  internals(): { cluster: KafkajsCluster; logger: KafkajsLogger } {
    return { cluster: this.cluster, logger: this.logger };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.cluster.disconnect()]);
  }

  private async call<R>(what: string, op: () => Promise<R>): Promise<R> {
    await this.connect();
    try {
      return await op();
    } catch (err) {
      if (err instanceof WeirError) throw err;
      throw toClientError(what, this.bootstrapServers, err, this.authentication);
    }
  }
}

export class KafkaProducer {
  private connected: Promise<void> | undefined;
  constructor(
    private readonly producer: Producer,
    private readonly servers: readonly string[],
    private readonly authentication: ClientAuthentication,
  ) {}

  async send(records: readonly OutgoingRecord[], opts: { acks: number; compression: Compression }): Promise<void> {
    this.connected ??= this.producer.connect();
    try {
      await this.connected;
      await this.producer.sendBatch({ acks: opts.acks, compression: compressionCode(opts.compression), topicMessages: toTopicMessages(records) });
    } catch (err) {
      if (err instanceof WeirError) throw err;
      throw toClientError('produce', this.servers, err, this.authentication);
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

export function toTopicMessages(records: readonly OutgoingRecord[]) {
  const byTopic = new Map<string, { key: Buffer | null; value: Buffer | null; partition?: number; headers?: Record<string, Buffer>; timestamp?: string }[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    list.push({
      key: r.key === null ? null : Buffer.from(r.key.buffer, r.key.byteOffset, r.key.byteLength),
      value: r.value === null ? null : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
      partition: r.partition,
      headers: r.headers === undefined ? undefined : toBuffers(r.headers),
      timestamp: r.timestamp === undefined || Number.isNaN(r.timestamp) ? undefined : String(r.timestamp),
    });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function toPartitionFetch(topic: string, p: KafkajsFetchPartition, fetchedOffset: number, readCommitted: boolean): PartitionFetch {
  const batch = filterBatch(topic, fetchedOffset, p);
  const records: FetchedRecord[] = batch.messages.map((m) => ({
    topic,
    partition: p.partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key,
    value: m.value,
    headers: toHeaders(m.headers),
  }));
  const last = batch.lastOffset;
  const lso = p.lastStableOffset !== undefined && Number(p.lastStableOffset) >= 0 ? Number(p.lastStableOffset) : Number(p.highWatermark);
  return { topic, partition: p.partition, records, nextOffset: last === undefined ? fetchedOffset : last + 1, endOffset: readCommitted ? lso : Number(p.highWatermark) };
}

export function key(topic: string, partition: number): string {
  return `${topic}#${partition}`;
}

function groupByTopic<P extends TopicPartition>(ps: readonly P[]): Map<string, P[]> {
  const m = new Map<string, P[]>();
  for (const p of ps) {
    const list = m.get(p.topic);
    if (list) list.push(p);
    else m.set(p.topic, [p]);
  }
  return m;
}

export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}
