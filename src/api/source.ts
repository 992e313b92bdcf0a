/**
 * The contracts between the runtime and sources/sinks. Connectors implement them; the
 * runtime drives them a batch at a time.
 */

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  currentProcessingTime(): number;
  readonly jobParameters: Readonly<Record<string, string>>;
}

/** Where a reader puts records; appending is cheap (no allocation per record). */
export interface SourceOutput<T> {
  collect(value: T): void;
  collectWithTimestamp(value: T, timestamp: number): void;
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
  pollNext(output: SourceOutput<T>, maxRecords: number): SourcePoll;
  close?(): void | Promise<void>;
}

export interface Source<T> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  /** Largest parallelism this source can use (fromElements: 1). */
  readonly maxParallelism?: number;
  createReader(ctx: SourceReaderContext): SourceReader<T>;
}

export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly taskName: string;
  readonly jobParameters: Readonly<Record<string, string>>;
  /** Hands values to the job result under `name` (what collect sinks use). */
  addToResult(name: string, values: readonly unknown[]): void;
}

export interface SinkWriter<T> {
  /** Writes a batch; values[i] has event timestamp timestamps[i] (NaN when none). */
  write(values: readonly T[], timestamps: readonly number[]): void | Promise<void>;
  flush?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Sink<T> {
  createWriter(ctx: SinkWriterContext): SinkWriter<T>;
}
