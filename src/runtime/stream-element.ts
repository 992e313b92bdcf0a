/**
 * What travels between operators and tasks: batches of records and in-band control
 * events, in order. Batches are the unit of work so that nothing on the hot path costs a
 * promise or a closure per record.
 */
export class RecordBatch {
  readonly kind = 'batch';
  constructor(
    readonly values: unknown[],
    /** Event timestamp per record; NaN where a record has none. */
    readonly timestamps: number[],
  ) {}

  get length(): number {
    return this.values.length;
  }
}

export interface WatermarkEvent {
  readonly kind: 'watermark';
  readonly timestamp: number;
}

/** An input went idle (no watermarks will come for a while) or became active again. */
export interface WatermarkStatusEvent {
  readonly kind: 'status';
  readonly idle: boolean;
}

/** The producing subtask will send nothing more on this channel. */
export interface EndOfPartitionEvent {
  readonly kind: 'end';
}

/** How a checkpoint treats barriers at tasks with several input channels (Flink's checkpointing mode). */
export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';

/**
 * A checkpoint barrier (Chandy-Lamport): everything before it on a channel belongs to
 * checkpoint `checkpointId`, everything after it to the next one. Sources inject barriers;
 * tasks pass them on once they have snapshotted their state.
 */
export interface CheckpointBarrier {
  readonly kind: 'barrier';
  readonly checkpointId: number;
  /** When the coordinator triggered the checkpoint (epoch ms). */
  readonly timestamp: number;
  readonly mode: CheckpointingMode;
  /** A savepoint: self-contained, in the canonical format, and never incremental. */
  readonly savepoint: boolean;
}

export type StreamElement = RecordBatch | WatermarkEvent | WatermarkStatusEvent | EndOfPartitionEvent | CheckpointBarrier;

export const END_OF_PARTITION: EndOfPartitionEvent = Object.freeze({ kind: 'end' });
export const IDLE: WatermarkStatusEvent = Object.freeze({ kind: 'status', idle: true });
export const ACTIVE: WatermarkStatusEvent = Object.freeze({ kind: 'status', idle: false });

export function watermark(timestamp: number): WatermarkEvent {
  return { kind: 'watermark', timestamp };
}

/**
 * Builds a batch record by record. The arrays are allocated at the size the previous batch
 * reached and filled by index: growing them by push costs a reallocation and copy every
 * few records, a large part of a chained operator's per-record cost. A sparse stream
 * (small batches) keeps allocating small arrays.
 */
export class BatchBuilder {
  private values: unknown[] = [];
  private timestamps: number[] = [];
  private n = 0;

  add(value: unknown, timestamp: number): void {
    const n = this.n;
    this.values[n] = value;
    this.timestamps[n] = timestamp;
    this.n = n + 1;
  }

  get length(): number {
    return this.n;
  }

  /** Returns the batch built so far and starts a new one. */
  take(): RecordBatch {
    const { values, timestamps, n } = this;
    // Only a batch smaller than the one before leaves unused slots; trimming drops them.
    if (values.length !== n) {
      values.length = n;
      timestamps.length = n;
    }
    const b = new RecordBatch(values, timestamps);
    this.values = new Array<unknown>(n);
    this.timestamps = new Array<number>(n);
    this.n = 0;
    return b;
  }
}
