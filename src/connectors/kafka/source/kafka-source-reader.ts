/**
 * A KafkaSource subtask: finds its partitions (split-owner.ts), starts each at its
 * checkpointed offset or, on a fresh start, where the starting offsets say, and fetches them
 * one request at a time; a fetch's records are emitted in batches on each partition's own
 * output (per-partition watermarks). The emitted offsets are the checkpointed state; a
 * completed checkpoint's offsets are committed to the group. New partitions are picked up
 * every `partition.discovery.interval.ms` and read from the earliest offset.
 */
import type { ReaderOutput, SourceOutput, SourcePoll, SourceReader, SourceReaderContext } from '../../../api/source.ts';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { KafkaClient, key } from '../client/kafka-client.ts';
import type { FetchedRecord, PartitionFetch, TopicPartition } from '../client/types.ts';
import { initialOffsets } from './offsets-initializer.ts';
import type { KafkaSourceSettings } from './kafka-source.ts';
import { splitOwner } from './split-owner.ts';
import { PartitionMetrics } from './partition-metrics.ts';

/** A partition's checkpointed position: [topic, partition, next offset, stop offset or -1]. */
export type KafkaSplitState = [topic: string, partition: number, offset: number, stop: number];

interface Split {
  readonly topic: string;
  readonly partition: number;
  readonly id: string;
  /** The next offset to emit (and to fetch: one fetch at a time, after the buffer drained). */
  offset: number;
  /** Bounded mode: the offset to stop at; Infinity when unbounded. */
  readonly stop: number;
  output: SourceOutput<unknown> | undefined;
  readonly metrics: PartitionMetrics;
}

interface Fetched {
  readonly split: Split;
  readonly records: FetchedRecord[];
  i: number;
  readonly nextOffset: number;
}

/** The state entry of a reader that had not started at a checkpoint. */
const UNSTARTED: KafkaSplitState = ['', -1, -1, -1];

const FETCH_MAX_WAIT_MS = 200;
const IDLE_RETRY_MS = 200;

export class KafkaSourceReader<T> implements SourceReader<T> {
  private readonly client: KafkaClient;
  private readonly splits = new Map<string, Split>();
  /** Partitions seen by a discovery, owned or not, so a later one knows what is new. */
  private readonly known = new Set<string>();
  private buffer: Fetched[] = [];
  private started: Promise<void> | undefined;
  private ready = false;
  private fetching: Promise<void> | undefined;
  private discovering: Promise<void> | undefined;
  private nextDiscovery = Infinity;
  private failure: unknown;
  private readonly toCommit = new Map<number, KafkaSplitState[]>();
  private output: ReaderOutput<T> | undefined;
  /** Failed group-offset commits (the job goes on: the checkpoint, not the group, is the truth). */
  commitFailures = 0;
  commitsSucceeded = 0;
  private readonly removeMetrics: (() => void)[] = [];

  constructor(
    private readonly settings: KafkaSourceSettings<T>,
    private readonly ctx: SourceReaderContext,
  ) {
    this.client = new KafkaClient(settings.bootstrapServers, settings.properties, isolation(settings.properties));
    const g = ctx.metricGroup;
    const total = (f: (m: PartitionMetrics) => number) => () => [...this.splits.values()].reduce((n, s) => n + f(s.metrics), 0);
    this.removeMetrics.push(
      g.gauge('pendingRecords', {}, total((m) => m.pendingRecords)),
      g.gauge('numBytesIn', {}, total((m) => m.bytesIn)),
      g.gauge('KafkaSourceReader_commitsSucceeded', {}, () => this.commitsSucceeded),
      g.gauge('KafkaSourceReader_commitsFailed', {}, () => this.commitFailures),
    );
  }

  /** Per-partition metrics with Flink's names, by `topic#partition`. */
  partitionMetrics(): ReadonlyMap<string, PartitionMetrics> {
    return new Map([...this.splits].map(([k, s]) => [k, s.metrics]));
  }

  pollNext(output: ReaderOutput<T>, maxRecords: number): SourcePoll {
    if (this.failure !== undefined) throw this.failure;
    this.output = output;
    if (!this.ready) {
      this.started ??= this.background(this.start());
      return this.started.then(() => undefined);
    }
    const now = this.ctx.currentProcessingTime();
    if (now >= this.nextDiscovery && !this.discovering) {
      this.nextDiscovery = now + this.settings.discoveryIntervalMs;
      this.discovering = this.background(this.discover(false)).finally(() => (this.discovering = undefined));
    }
    const n = this.emit(output, maxRecords);
    if (this.buffer.length === 0 && !this.fetching && !this.allEnded()) this.fetching = this.background(this.fetchOnce()).finally(() => (this.fetching = undefined));
    if (n > 0) return 'more';
    if (this.allEnded() && this.settings.bounded) return 'end';
    if (this.fetching) return this.fetching;
    return now + IDLE_RETRY_MS;
  }

  private emit(output: ReaderOutput<T>, max: number): number {
    const deser = this.settings.deserializer;
    let n = 0;
    while (n < max && this.buffer.length > 0) {
      const b = this.buffer[0]!;
      const split = b.split;
      const out = (split.output ??= output.createOutputForSplit(split.id));
      while (b.i < b.records.length && n < max) {
        const r = b.records[b.i]!;
        if (r.offset >= split.stop) {
          b.i = b.records.length;
          break;
        }
        b.i++;
        let value: T;
        try {
          value = deser.deserialize(r);
        } catch (err) {
          split.offset = r.offset + 1;
          this.deserializationFailed(output, r, err);
          continue;
        }
        out.collectWithTimestamp(value, r.timestamp);
        split.offset = r.offset + 1;
        split.metrics.recordIn(r);
        n++;
      }
      if (b.i >= b.records.length) {
        split.offset = Math.max(split.offset, Math.min(b.nextOffset, split.stop));
        this.buffer.shift();
      }
      split.metrics.currentOffset = split.offset - 1;
      if (split.offset >= split.stop) output.releaseOutputForSplit(split.id);
    }
    return n;
  }

  private deserializationFailed(output: ReaderOutput<T>, r: FetchedRecord, err: unknown): void {
    const tag = this.settings.deadLetter;
    if (!tag) {
      throw new WeirError(
        'KAFKA_DESERIALIZATION_FAILED',
        `cannot deserialize the record at ${r.topic}-${r.partition} offset ${r.offset}: ${errorMessage(err)} (set deserialization.failure: dead-letter to send such records to KafkaSource.DEAD_LETTER instead)`,
        false,
        { cause: err },
      );
    }
    output.collectSide(tag, { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, error: errorMessage(err) }, r.timestamp);
  }

  private allEnded(): boolean {
    for (const s of this.splits.values()) if (s.offset < s.stop) return false;
    return this.buffer.length === 0;
  }

  /** Runs async work whose failure fails the reader at its next poll. */
  private background(work: Promise<void>): Promise<void> {
    return work.catch((err: unknown) => {
      this.failure ??= err;
    });
  }

  private async start(): Promise<void> {
    await this.discover(true);
    this.ready = true;
    if (this.settings.discoveryIntervalMs > 0) this.nextDiscovery = this.ctx.currentProcessingTime() + this.settings.discoveryIntervalMs;
  }

  /** The partitions of the topics (or of the topics matching the pattern). */
  private async allPartitions(): Promise<TopicPartition[]> {
    const t = this.settings.topics;
    if (Array.isArray(t)) return this.client.partitionsOf(t);
    const pattern = t as RegExp;
    const names = (await this.client.listTopics()).filter((name) => new RegExp(pattern.source, pattern.flags.replace('g', '')).test(name));
    return this.client.partitionsOf(names);
  }

  private async discover(first: boolean): Promise<void> {
    if (first && this.ctx.isRestored && this.settings.bounded && !this.restoredBeforeStart()) {
      // A bounded run restored reads exactly the partitions it recorded, up to their stops.
      for (const [topic, partition, offset, stop] of this.restoredOwned()) this.addSplit(topic, partition, offset, stop < 0 ? Infinity : stop);
      return;
    }
    const all = await this.allPartitions();
    const fresh = all.filter((p) => !this.known.has(key(p.topic, p.partition)));
    for (const p of fresh) this.known.add(key(p.topic, p.partition));
    const mine = fresh.filter((p) => splitOwner(p.topic, p.partition, this.ctx.parallelism) === this.ctx.subtaskIndex);
    if (mine.length === 0) return;
    const restored = new Map(this.restoredOwned().map((s) => [key(s[0], s[1]), s]));
    const missing = mine.filter((p) => !restored.has(key(p.topic, p.partition)));
    // A partition the checkpoint does not know: at the first start (or after a checkpoint
    // taken before some reader started) where the starting offsets say; appeared later, from
    // its earliest offset, as Flink reads partitions found by discovery.
    const initial = first && (!this.ctx.isRestored || this.restoredBeforeStart());
    const starts = initial ? await initialOffsets(this.settings.startingOffsets, this.client, missing, this.settings.groupId) : await this.client.offsetsAt(missing, 'earliest');
    const stops = this.settings.bounded ? await this.client.offsetsAt(mine, 'latest') : undefined;
    for (const p of mine) {
      const k = key(p.topic, p.partition);
      const r = first ? restored.get(k) : undefined;
      const offset = r ? r[2] : starts.get(k);
      if (offset === undefined) throw new WeirError('INTERNAL', `no starting offset for ${k}`, false);
      this.addSplit(p.topic, p.partition, offset, r && r[3] >= 0 ? r[3] : (stops?.get(k) ?? Infinity));
    }
  }

  private restoredOwned(): KafkaSplitState[] {
    return (this.ctx.restoredState as KafkaSplitState[]).filter((s) => s[1] >= 0 && splitOwner(s[0], s[1], this.ctx.parallelism) === this.ctx.subtaskIndex);
  }

  /** The restored checkpoint was taken while some reader had not started (it holds a marker). */
  private restoredBeforeStart(): boolean {
    return (this.ctx.restoredState as KafkaSplitState[]).some((s) => s[1] < 0);
  }

  private addSplit(topic: string, partition: number, offset: number, stop: number): void {
    const id = key(topic, partition);
    if (this.splits.has(id)) return;
    const split: Split = { topic, partition, id, offset, stop, output: undefined, metrics: new PartitionMetrics() };
    split.metrics.currentOffset = offset - 1;
    const labels = { topic, partition: String(partition) };
    const m = split.metrics;
    const g = this.ctx.metricGroup;
    // Flink's KafkaSourceReader.topic.<t>.partition.<p>.* groups, as its Prometheus reporter names them.
    this.removeMetrics.push(
      g.gauge('KafkaSourceReader_topic_partition_currentOffset', labels, () => m.currentOffset),
      g.gauge('KafkaSourceReader_topic_partition_committedOffset', labels, () => m.committedOffset),
      g.gauge('KafkaSourceReader_topic_partition_numRecordsIn', labels, () => m.recordsIn),
      g.gauge('KafkaSourceReader_topic_partition_numBytesIn', labels, () => m.bytesIn),
    );
    // An output per partition from the start, so an empty partition holds the watermark
    // back until the strategy's idleness marks it idle, as in Flink.
    if (this.output && offset < stop) split.output = this.output.createOutputForSplit(id);
    this.splits.set(id, split);
  }

  private async fetchOnce(): Promise<void> {
    const active = [...this.splits.values()].filter((s) => s.offset < s.stop);
    if (active.length === 0) return;
    const maxBytes = Number(this.settings.properties['max.partition.fetch.bytes'] ?? 1_048_576);
    const fetched: PartitionFetch[] = await this.client.fetch(
      active.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.offset })),
      { maxWaitMs: Number(this.settings.properties['fetch.max.wait.ms'] ?? FETCH_MAX_WAIT_MS), maxBytesPerPartition: maxBytes },
    );
    for (const f of fetched) {
      const split = this.splits.get(key(f.topic, f.partition));
      if (!split) continue;
      if (split.metrics.endOffset < 0) this.reportPendingRecords(split);
      split.metrics.endOffset = f.endOffset;
      if (f.records.length > 0 || f.nextOffset > split.offset) this.buffer.push({ split, records: f.records, i: 0, nextOffset: f.nextOffset });
    }
  }

  /**
   * A partition's pendingRecords from its first fetch on, as Flink's appears with the
   * consumer's first lag figure: before, its end is unknown, and a 0 would say "no lag" to an
   * autoscaler reading the metric (which counts such a partition as not reported).
   */
  private reportPendingRecords(split: Split): void {
    const m = split.metrics;
    this.removeMetrics.push(this.ctx.metricGroup.gauge('KafkaSourceReader_topic_partition_pendingRecords', { topic: split.topic, partition: String(split.partition) }, () => m.pendingRecords));
  }

  snapshotState(checkpointId: number): KafkaSplitState[] {
    const state: KafkaSplitState[] = [...this.splits.values()].map((s) => [s.topic, s.partition, s.offset, s.stop === Infinity ? -1 : s.stop]);
    if (this.ready) {
      if (this.settings.commitOffsetsOnCheckpoint) this.toCommit.set(checkpointId, state);
      return state;
    }
    // A reader not started yet keeps what it was restored with, and marks that it has not
    // started, so a restore from this checkpoint still applies the starting offsets to the
    // partitions no reader had found.
    const unstarted = !this.ctx.isRestored || this.restoredBeforeStart();
    return unstarted ? [...this.restoredOwned(), UNSTARTED] : this.restoredOwned();
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const offsets = this.toCommit.get(checkpointId);
    for (const id of [...this.toCommit.keys()]) if (id <= checkpointId) this.toCommit.delete(id);
    if (!offsets || this.settings.groupId === undefined) return;
    try {
      await this.client.commitOffsets(this.settings.groupId, offsets.map(([topic, partition, offset]) => ({ topic, partition, offset })));
      this.commitsSucceeded++;
      for (const [topic, partition, offset] of offsets) {
        const s = this.splits.get(key(topic, partition));
        if (s) s.metrics.committedOffset = offset;
      }
    } catch (err) {
      // As Flink's source: the group's offsets are for monitoring; the checkpoint holds the
      // positions, so a failed commit is counted and reported, and the next one catches up.
      this.commitFailures++;
      console.warn(`KafkaSource: committing offsets of checkpoint ${checkpointId} to group ${this.settings.groupId} failed: ${errorMessage(err)}`);
    }
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.toCommit.delete(checkpointId);
  }

  async close(): Promise<void> {
    for (const remove of this.removeMetrics.splice(0)) remove();
    await this.client.close();
  }
}

function isolation(p: Readonly<Record<string, unknown>>): boolean {
  return String(p['isolation.level'] ?? 'read_committed') !== 'read_uncommitted';
}
