import type { RecordBatch } from '../stream-element.ts';

/** Where an operator sends what it produces: the next chained operator or the network. */
export interface Output {
  collect(value: unknown, timestamp: number): void;
  /**
   * Hands over a whole batch (after anything collected before it). Batches are never
   * mutated once built, so the receiver may keep or forward it as it is.
   */
  emitBatch(batch: RecordBatch): void;
  /** Records for a side output; dropped when nothing consumes the tag. */
  collectSide(tagId: string, value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
  /** Hands over what was collected so far. */
  flush(): void;
  /** No more output will follow. */
  endInput(): void;
}
