/** Heads a source task: polls the reader for a batch at a time. */
import type { Source, SourceOutput, SourcePoll, SourceReader } from '../../api/source.ts';
import type { RecordBatch } from '../stream-element.ts';
import { StreamOperator } from './stream-operator.ts';

export class SourceOperator extends StreamOperator implements SourceOutput<unknown> {
  private reader!: SourceReader<unknown>;
  recordsOut = 0;

  constructor(readonly source: Source<unknown>) {
    super();
  }

  override open(): void {
    const s = this.setup;
    this.reader = this.source.createReader({
      subtaskIndex: s.subtaskIndex,
      parallelism: s.parallelism,
      currentProcessingTime: () => s.processingTime.now(),
      jobParameters: s.jobParameters,
    });
  }

  collect(value: unknown): void {
    this.recordsOut++;
    this.output.collect(value, NaN);
  }

  collectWithTimestamp(value: unknown, timestamp: number): void {
    this.recordsOut++;
    this.output.collect(value, timestamp);
  }

  /** Polls up to maxRecords records into the chain. */
  poll(maxRecords: number): SourcePoll {
    try {
      const result = this.reader.pollNext(this, maxRecords);
      this.output.flush();
      return result;
    } catch (err) {
      throw this.fail(err);
    }
  }

  processBatch(_batch: RecordBatch): void {
    throw new Error('internal: a source has no input');
  }

  override async finish(): Promise<void> {
    // The end of a bounded source is the end of event time, as in Flink.
    this.output.emitWatermark(Infinity);
  }

  override async close(): Promise<void> {
    await this.reader?.close?.();
  }
}
