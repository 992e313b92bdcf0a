// One partition's log on the single broker: offset assignment, idempotent-producer sequence
// checks, transaction tracking (last stable offset, aborted transaction index) and reads.
import { ErrorCode } from '../protocol/errors.ts';
import { assignOffsets, buildControlBatch, decodeRecords, recordTimestamps } from '../protocol/record-batch.ts';
import type { BatchHeader } from '../protocol/record-batch.ts';

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  data: Buffer;
  maxTimestamp: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

interface SequenceMeta {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** Kafka keeps the last five batches per producer to answer retried duplicates. */
  recent: SequenceMeta[];
}

export interface AppendResult {
  error: number;
  baseOffset: number;
}

const MAX_RECENT = 5;
const INT32_MAX = 2147483647;

function addSeq(seq: number, n: number): number {
  // Sequence numbers wrap to 0 after Int32.MaxValue.
  return (seq + n) % (INT32_MAX + 1);
}

export class PartitionLog {
  readonly batches: StoredBatch[] = [];
  logStartOffset = 0;
  nextOffset = 0;
  private readonly ongoing = new Map<number, number>();
  readonly aborted: AbortedTxn[] = [];
  private readonly producers = new Map<number, ProducerEntry>();

  constructor(private readonly onChange: () => void) {}

  /** Single replica, so everything appended is replicated: the high watermark is the log end. */
  get highWatermark(): number {
    return this.nextOffset;
  }

  get lastStableOffset(): number {
    let lso = this.nextOffset;
    for (const first of this.ongoing.values()) lso = Math.min(lso, first);
    return lso;
  }

  /** `logAppendTime` is the broker time to stamp on the batch for LogAppendTime topics. */
  append(header: BatchHeader, data: Buffer, logAppendTime: number | null = null): AppendResult {
    const pid = header.producerId;
    if (pid >= 0 && header.baseSequence >= 0) {
      const checked = this.checkSequence(header);
      if (checked !== null) return checked;
    }
    const baseOffset = this.nextOffset;
    this.batches.push({
      baseOffset,
      lastOffset: baseOffset + header.lastOffsetDelta,
      data: assignOffsets(data, baseOffset, 0, logAppendTime),
      maxTimestamp: logAppendTime ?? header.maxTimestamp,
    });
    this.nextOffset = baseOffset + header.lastOffsetDelta + 1;
    if (pid >= 0) {
      this.recordSequence(header, baseOffset);
      if (header.isTransactional && !this.ongoing.has(pid)) this.ongoing.set(pid, baseOffset);
    }
    this.onChange();
    return { error: ErrorCode.NONE, baseOffset };
  }

  /** Returns a final result for fenced, duplicate or out-of-order batches; null to append. */
  private checkSequence(h: BatchHeader): AppendResult | null {
    const entry = this.producers.get(h.producerId);
    const fail = (error: number): AppendResult => ({ error, baseOffset: -1 });
    if (entry !== undefined && h.producerEpoch < entry.epoch) return fail(ErrorCode.INVALID_PRODUCER_EPOCH);
    const lastSeq = addSeq(h.baseSequence, h.recordCount - 1);
    if (entry === undefined || h.producerEpoch > entry.epoch) {
      // A new producer or epoch must start its sequence at 0.
      if (h.baseSequence === 0) return null;
      return fail(entry === undefined ? ErrorCode.UNKNOWN_PRODUCER_ID : ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }
    const dup = entry.recent.find((m) => m.firstSeq === h.baseSequence && m.lastSeq === lastSeq);
    // A retried batch is acknowledged with its original offset and not appended again.
    if (dup !== undefined) return { error: ErrorCode.NONE, baseOffset: dup.baseOffset };
    const last = entry.recent.at(-1);
    const expected = last === undefined ? 0 : addSeq(last.lastSeq, 1);
    if (h.baseSequence === expected) return null;
    // Already written but older than the cached batches: a duplicate we can no longer answer.
    if (h.baseSequence < expected && lastSeq < expected) return fail(ErrorCode.DUPLICATE_SEQUENCE_NUMBER);
    return fail(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  }

  private recordSequence(h: BatchHeader, baseOffset: number): void {
    if (h.baseSequence < 0) return;
    let entry = this.producers.get(h.producerId);
    if (entry === undefined || h.producerEpoch > entry.epoch) {
      entry = { epoch: h.producerEpoch, recent: [] };
      this.producers.set(h.producerId, entry);
    }
    entry.recent.push({ firstSeq: h.baseSequence, lastSeq: addSeq(h.baseSequence, h.recordCount - 1), baseOffset });
    if (entry.recent.length > MAX_RECENT) entry.recent.shift();
  }

  /** Writes a commit/abort marker for the producer's open transaction on this partition. */
  appendMarker(commit: boolean, producerId: number, producerEpoch: number): AppendResult {
    const entry = this.producers.get(producerId);
    if (entry !== undefined && producerEpoch < entry.epoch) return { error: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1 };
    if (entry === undefined || producerEpoch > entry.epoch) {
      // A bumped epoch restarts the producer's sequences.
      this.producers.set(producerId, { epoch: producerEpoch, recent: [] });
    }
    const offset = this.nextOffset;
    const data = assignOffsets(buildControlBatch(commit, producerId, producerEpoch, Date.now()), offset, 0);
    this.batches.push({ baseOffset: offset, lastOffset: offset, data, maxTimestamp: Date.now() });
    this.nextOffset = offset + 1;
    const first = this.ongoing.get(producerId);
    if (first !== undefined) {
      if (!commit) this.aborted.push({ producerId, firstOffset: first, lastOffset: offset });
      this.ongoing.delete(producerId);
    }
    this.onChange();
    return { error: ErrorCode.NONE, baseOffset: offset };
  }

  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whole batches from the one containing `offset` up to `limit` (exclusive). The first batch is
   * returned even if larger than maxBytes so consumers always make progress (KIP-74).
   */
  read(offset: number, maxBytes: number, limit: number, allowOversized: boolean): StoredBatch[] {
    const out: StoredBatch[] = [];
    let bytes = 0;
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const b = this.batches[i] as StoredBatch;
      if (b.baseOffset >= limit) break;
      if (bytes + b.data.length > maxBytes && !(out.length === 0 && allowOversized)) break;
      out.push(b);
      bytes += b.data.length;
    }
    return out;
  }

  /** Aborted transactions overlapping [from, to], ordered by first offset as the fetch response requires. */
  abortedBetween(from: number, to: number): AbortedTxn[] {
    return this.aborted.filter((t) => t.lastOffset >= from && t.firstOffset <= to).sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /**
   * The earliest offset whose record timestamp is >= ts, as ListOffsets by timestamp answers.
   * Batches are decompressed whatever their codec; control batches hold no user records.
   */
  offsetForTimestamp(ts: number, limit: number): { offset: number; timestamp: number } | null {
    for (const b of this.batches) {
      if (b.baseOffset >= limit) break;
      if (b.maxTimestamp < ts || isControl(b.data)) continue;
      const records = decodeRecords(b.data);
      const times = recordTimestamps(b.data, records);
      for (let i = 0; i < records.length; i++) {
        const offset = b.baseOffset + (records[i] as { offsetDelta: number }).offsetDelta;
        if ((times[i] as number) >= ts && offset < limit) return { offset, timestamp: times[i] as number };
      }
    }
    return null;
  }

  /** The first record carrying the largest timestamp below `limit` (ListOffsets MAX_TIMESTAMP, KIP-734). */
  offsetForMaxTimestamp(limit: number): { offset: number; timestamp: number } | null {
    let best: { offset: number; timestamp: number } | null = null;
    for (const b of this.batches) {
      if (b.baseOffset >= limit) break;
      if (isControl(b.data) || (best !== null && b.maxTimestamp <= best.timestamp)) continue;
      const records = decodeRecords(b.data);
      const times = recordTimestamps(b.data, records);
      for (let i = 0; i < records.length; i++) {
        const offset = b.baseOffset + (records[i] as { offsetDelta: number }).offsetDelta;
        const t = times[i] as number;
        if (offset < limit && (best === null || t > best.timestamp)) best = { offset, timestamp: t };
      }
    }
    return best;
  }
}

function isControl(batch: Buffer): boolean {
  return (batch.readInt16BE(21) & 0x20) !== 0;
}
