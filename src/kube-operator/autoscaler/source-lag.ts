/**
 * Source lag as the autoscaler reads it: per partition, the latest offset against the offset
 * the job's group committed (the Kafka source commits on checkpoint completion), with KEDA's
 * edge cases decided here, apart from any client: a partition without a committed offset
 * (new group, or a partition added while running), a committed offset outside the retained
 * log, and an idle topic.
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

export interface SourceLag {
  at: number;
  partitions: PartitionLag[];
  totalLag: number;
  /** Partitions of every topic read: the cap on a source's parallelism. */
  partitionCount: number;
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
  return { at, partitions, totalLag: partitions.reduce((sum, p) => sum + p.lag, 0), partitionCount: partitions.length };
}
