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

export type StreamElement = RecordBatch | WatermarkEvent | WatermarkStatusEvent | EndOfPartitionEvent;

export const END_OF_PARTITION: EndOfPartitionEvent = Object.freeze({ kind: 'end' });
export const IDLE: WatermarkStatusEvent = Object.freeze({ kind: 'status', idle: true });
export const ACTIVE: WatermarkStatusEvent = Object.freeze({ kind: 'status', idle: false });

export function watermark(timestamp: number): WatermarkEvent {
  return { kind: 'watermark', timestamp };
}

/** Builds a batch record by record. */
export class BatchBuilder {
  values: unknown[] = [];
  timestamps: number[] = [];

  add(value: unknown, timestamp: number): void {
    this.values.push(value);
    this.timestamps.push(timestamp);
  }

  get length(): number {
    return this.values.length;
  }

  /** Returns the batch built so far and starts a new one. */
  take(): RecordBatch {
    const b = new RecordBatch(this.values, this.timestamps);
    this.values = [];
    this.timestamps = [];
    return b;
  }
}
