/** A partition's figures under Flink's KafkaSource metric names. */
import type { FetchedRecord } from '../client/types.ts';

export class PartitionMetrics {
  /** The offset of the last record emitted (-1: none). */
  currentOffset = -1;
  /** The offset last committed to the consumer group (-1: none). */
  committedOffset = -1;
  /** The partition's end as the last fetch saw it (read_committed: the last stable offset). */
  endOffset = -1;
  recordsIn = 0;
  bytesIn = 0;

  recordIn(r: FetchedRecord): void {
    this.recordsIn++;
    this.bytesIn += (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  }

  /** Lag: records after the current position up to the end. */
  get pendingRecords(): number {
    return this.endOffset < 0 ? 0 : Math.max(0, this.endOffset - (this.currentOffset + 1));
  }
}
