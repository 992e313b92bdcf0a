/**
 * Source lag as the autoscaler reads it, measured one of two ways and decided here, apart
 * from any client:
 * - `committed-offsets`: per partition, the latest offset against the offset the job's group
 *   committed (the Kafka source commits on checkpoint completion), with KEDA's edge cases: a
 *   partition without a committed offset (new group, or a partition added while running), a
 *   committed offset outside the retained log, and an idle topic.
 * - `pending-records`: what the job's own source readers report they still have to read,
 *   Flink's `pendingRecords` through the JobManager's aggregated subtask metrics, as Flink's
 *   autoscaler reads it; for a cluster the operator cannot reach as the job does (secured).
 */
/** Where a partition without a committed offset starts reading: Kafka's auto.offset.reset. */
export type StartingOffsets = 'earliest' | 'latest';

export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** Log start offset (retention may have deleted what is before it). */
  earliest: number;
  /** High watermark: the offset the next record will get. */
  latest: number;
}

export interface PartitionLag extends PartitionOffsets {
  /** Undefined: the group has committed nothing for this partition. */
  committed: number | undefined;
  lag: number;
}

export type LagMeasure = 'committed-offsets' | 'pending-records';

export interface SourceLag {
  at: number;
  measure: LagMeasure;
  /** Per partition with its offsets (committed-offsets; empty from pending-records). */
  partitions: PartitionLag[];
  totalLag: number;
  /** Partitions of every topic read: the cap on a source's parallelism. */
  partitionCount: number;
  /** The partitions' high watermarks summed (committed-offsets): their growth is what arrives. */
  latestOffsets?: number;
}

/** What the autoscaler needs from a source's broker; one implementation per connector. */
export interface SourceLagCollector {
  sourceLag(): Promise<SourceLag>;
  close(): Promise<void>;
}

/**
 * Records the group has still to read from one partition.
 * - No committed offset: from `earliest` the source will read all that is retained; from
 *   `latest` nothing that is there now (KEDA reports 1 so as not to scale to zero; a Weir
 *   job never goes below minParallelism, so 0 is the truth here).
 * - Committed before the log start (retention deleted records never read): only what is
 *   retained can be read.
 * - Committed at or past the high watermark (an idle topic, or a recreated one): 0, never
 *   negative.
 */
export function partitionLag(offsets: PartitionOffsets, committed: number | undefined, starting: StartingOffsets): PartitionLag {
  let lag: number;
  if (committed === undefined) lag = starting === 'earliest' ? offsets.latest - offsets.earliest : 0;
  else lag = offsets.latest - Math.max(committed, offsets.earliest);
  return { ...offsets, committed, lag: Math.max(0, lag) };
}

export function sourceLagOf(at: number, offsets: readonly PartitionOffsets[], committed: ReadonlyMap<string, number>, starting: StartingOffsets): SourceLag {
  const partitions = offsets.map((o) => partitionLag(o, committed.get(`${o.topic}/${o.partition}`), starting));
  const sum = (f: (p: PartitionLag) => number) => partitions.reduce((n, p) => n + f(p), 0);
  return { at, measure: 'committed-offsets', partitions, totalLag: sum((p) => p.lag), partitionCount: partitions.length, latestOffsets: sum((p) => p.latest) };
}

/**
 * A source vertex's metrics as the JobManager's aggregated subtask metrics give them, under
 * Flink's ids: `ids` every id its subtasks report, `sums` the values asked for (pendingRecordsIds)
 * summed over the subtasks.
 */
export interface ReportedSourceMetrics {
  ids: readonly string[];
  sums: Readonly<Record<string, number>>;
}

/** A reader's pendingRecords: `<operator>.pendingRecords` (operator names have no dots in ids). */
const READER_PENDING = /^[^.]+\.pendingRecords$/;
/** A Kafka partition's figures: `<operator>.KafkaSourceReader.topic.<t>.partition.<p>.<metric>`. */
const PARTITION_METRIC = /^[^.]+\.KafkaSourceReader\.topic\.(.+)\.partition\.(\d+)\.(currentOffset|pendingRecords)$/;

/** The ids whose values pending-records lag needs: each reader's pendingRecords. */
export function pendingRecordsIds(ids: readonly string[]): string[] {
  return ids.filter((id) => READER_PENDING.test(id));
}

/**
 * Lag from what the source's readers report, or why there is none this time. Each subtask's
 * reader reports the records after its position up to each partition's end as its last fetch
 * saw it; the JobManager sums them. The partitions are those with a currentOffset (Flink's
 * autoscaler counts them the same way); one without pendingRecords yet (not fetched since
 * its reader started) has an unknown lag, and a sum missing it would read as a lag too low, so
 * then there is no sample at all.
 */
export function pendingRecordsLag(at: number, reported: ReportedSourceMetrics): { lag: SourceLag } | { missing: string } {
  const readers = pendingRecordsIds(reported.ids);
  if (readers.length === 0) return { missing: 'its readers report no pendingRecords (not running, or not a Kafka source)' };
  const partitions = new Set<string>();
  const pending = new Set<string>();
  for (const id of reported.ids) {
    const m = PARTITION_METRIC.exec(id);
    if (m) (m[3] === 'currentOffset' ? partitions : pending).add(`${m[1]}/${m[2]}`);
  }
  if (partitions.size === 0) return { missing: 'its readers report no partitions' };
  const unfetched = [...partitions].filter((p) => !pending.has(p));
  if (unfetched.length > 0) return { missing: `${unfetched.length} of ${partitions.size} partitions not fetched yet (${unfetched.slice(0, 3).join(', ')}${unfetched.length > 3 ? ', ...' : ''})` };
  let totalLag = 0;
  for (const id of readers) {
    const v = reported.sums[id];
    if (typeof v !== 'number' || !Number.isFinite(v)) return { missing: `no value for ${id}` };
    totalLag += Math.max(0, v);
  }
  return { lag: { at, measure: 'pending-records', partitions: [], totalLag, partitionCount: partitions.size } };
}
