/**
 * The contracts between the runtime and sources/sinks. Connectors implement them; the
 * runtime drives them a batch at a time, and calls their checkpoint hooks.
 */

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  currentProcessingTime(): number;
  readonly jobParameters: Readonly<Record<string, string>>;
  /**
   * What the reader's snapshotState returned at the checkpoint this run restores from,
   * dealt to this subtask (entries are split round-robin when the parallelism changed);
   * empty on a fresh start.
   */
  readonly restoredState: readonly unknown[];
  /**
   * Whether this run restores from a checkpoint or savepoint. A restored reader with no
   * state was dealt nothing (more subtasks than entries) and must read nothing of its own.
   */
  readonly isRestored: boolean;
  /** Where the reader registers its own metrics (per split, say), beside the source operator's. */
  readonly metricGroup: SourceMetricGroup;
}

/**
 * A source reader's metrics, exported under the source operator's scope as
 * `flink_taskmanager_job_task_operator_<name>` with the operator's labels and `labels`
 * (Flink's key-value metric groups, e.g. topic and partition).
 */
export interface SourceMetricGroup {
  /** A gauge read at each scrape; returns the function that removes it. */
  gauge(name: string, labels: Readonly<Record<string, string>>, read: () => number): () => void;
}

import type { OutputTag } from './functions.ts';

/** Where a reader puts records; appending is cheap (no allocation per record). */
export interface SourceOutput<T> {
  collect(value: T): void;
  collectWithTimestamp(value: T, timestamp: number): void;
}

/**
 * The reader's output. Records collected here directly are one stream for event time;
 * a reader of several splits (Kafka partitions, files) collects each split's records on
 * that split's output instead, so timestamps and watermarks are generated per split and
 * a split that lags holds the subtask's watermark back (as Flink's per-split watermarks).
 */
export interface ReaderOutput<T> extends SourceOutput<T> {
  /** The output of one split, created on first use. */
  createOutputForSplit(splitId: string): SourceOutput<T>;
  /** The split is done (or moved away): it no longer holds the watermark back. */
  releaseOutputForSplit(splitId: string): void;
  /** A value for the side output `tag` (the source stream's `getSideOutput(tag)`), such as a record that could not be read. */
  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void;
}

/**
 * What pollNext reports:
 * - 'more': call again soon;
 * - 'end': this reader has no more records (bounded sources);
 * - a number: nothing before this processing time (epoch ms), e.g. a rate limit;
 * - a promise: nothing until it settles (I/O); rejecting fails the task.
 */
export type SourcePoll = 'more' | 'end' | number | Promise<void>;

export interface SourceReader<T> {
  /** Emits at most `maxRecords` records into `output`. */
  pollNext(output: ReaderOutput<T>, maxRecords: number): SourcePoll;
  /**
   * The reader's position at checkpoint `checkpointId` (plain data: what the reader needs
   * to go on from here, such as each split's offset), handed back in `restoredState`.
   */
  snapshotState?(checkpointId: number): readonly unknown[];
  /** Checkpoint `checkpointId` is complete: what it covers is durable (e.g. commit offsets). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Source<T> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  /**
   * How the readers' snapshot entries are dealt on restore: 'list' (default) splits them
   * round-robin over the subtasks; 'union' gives every subtask all of them, for a source whose
   * readers pick their own splits by a rule of the parallelism (Kafka partitions).
   */
  readonly stateDistribution?: 'list' | 'union';
  /** Largest parallelism this source can use (fromElements: 1). */
  readonly maxParallelism?: number;
  createReader(ctx: SourceReaderContext): SourceReader<T>;
  /**
   * What the source reads, as plain JSON for tools outside the job: shown as `source` on its
   * vertex in `GET /jobs/:id`, where the operator's autoscaler finds the Kafka group whose lag
   * it measures. Addresses and names only, never credentials.
   */
  describe?(): SourceDescription;
}

export interface SourceDescription {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly taskName: string;
  readonly jobParameters: Readonly<Record<string, string>>;
  /** The job's configuration (config.yaml and -D keys): where connectors find their settings, as the file sink its `s3.*` keys. */
  readonly configuration?: ReadonlyMap<string, string>;
  /** Hands values to the job result under `name` (what collect sinks use). */
  addToResult(name: string, values: readonly unknown[]): void;
  /** What the writer's snapshotState returned at the checkpoint this run restores from; empty on a fresh start. */
  readonly restoredState: readonly unknown[];
  /** Milliseconds between checkpoints; undefined when checkpointing is off (transactional sinks check their timeouts against it). */
  readonly checkpointIntervalMs?: number;
  /**
   * Whether a final checkpoint follows the end of a bounded input (Flink's FLIP-147): then
   * `finish` must not make anything visible, the final checkpoint's snapshot records it and
   * its completion commits it; otherwise (checkpointing off) `finish` commits what remains.
   */
  readonly finalCheckpoint?: boolean;
}

export interface SinkWriter<T> {
  /** Writes a batch; values[i] has event timestamp timestamps[i] (NaN when none). */
  write(values: readonly T[], timestamps: readonly number[]): void | Promise<void>;
  flush?(): void | Promise<void>;
  /**
   * The writer's state at checkpoint `checkpointId`, after everything written before the
   * barrier (a transactional sink pre-commits here and returns what it must commit).
   */
  snapshotState?(checkpointId: number): readonly unknown[] | Promise<readonly unknown[]>;
  /** Checkpoint `checkpointId` is complete: commit what it pre-committed. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  /**
   * The input ended (a bounded job): nothing more will be written. Without a final
   * checkpoint (`ctx.finalCheckpoint`) what remains is committed here; with one, its
   * snapshot and completion follow.
   */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Sink<T> {
  createWriter(ctx: SinkWriterContext): SinkWriter<T>;
}
