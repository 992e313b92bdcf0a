/**
 * Sits between a ChainedOutput and the chained operator it feeds, the way Flink's
 * ChainingOutput updates the next operator's numRecordsIn and input watermark: counts
 * records per batch and remembers the last watermark, then forwards. The operator itself is
 * untouched, and the executor only inserts this when metrics are on.
 */
import type { RecordBatch } from '../stream-element.ts';
import { StreamOperator } from '../operators/stream-operator.ts';

export class MeteredInput extends StreamOperator {
  recordsIn = 0;
  inputWatermark = -Infinity;

  constructor(readonly target: StreamOperator) {
    super();
  }

  processBatch(): void {
    throw new Error('internal: MeteredInput only forwards the handle* calls of a chained output');
  }

  override handleBatch(batch: RecordBatch, input: number): void {
    this.recordsIn += batch.length;
    this.target.handleBatch(batch, input);
  }

  override handleWatermark(timestamp: number, input: number): void {
    this.inputWatermark = timestamp;
    this.target.handleWatermark(timestamp, input);
  }

  override handleWatermarkStatus(idle: boolean, input: number): void {
    this.target.handleWatermarkStatus(idle, input);
  }
}
