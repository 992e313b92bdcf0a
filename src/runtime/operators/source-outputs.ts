/**
 * Where a source reader's records go, with event time generated inside the source subtask
 * as Flink does: each output (the reader's main output, or one per split) assigns
 * timestamps and runs its own watermark generator; the subtask's watermark is the lowest
 * of its active outputs (the main output's alone while the reader uses no split outputs),
 * an output that is idle does not hold it back, and the subtask is idle when all are.
 * Periodic generators are asked every `pipeline.auto-watermark-interval`.
 */
import type { OutputTag } from '../../api/functions.ts';
import type { ReaderOutput, SourceOutput } from '../../api/source.ts';
import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '../../api/watermarks.ts';
import { WeirError } from '../../errors/index.ts';
import type { ProcessingTimeService } from '../task/processing-time-service.ts';
import type { Output } from './output.ts';

/** One output's timestamps and watermarks. */
class WatermarkedOutput implements SourceOutput<unknown>, WatermarkOutput {
  watermark = -Infinity;
  idle = false;

  constructor(
    private readonly owner: SourceOutputs,
    readonly generator: WatermarkGenerator<unknown>,
    private readonly assigner: TimestampAssigner<unknown> | undefined,
  ) {}

  collect(value: unknown): void {
    this.collectWithTimestamp(value, NaN);
  }

  collectWithTimestamp(value: unknown, recordTimestamp: number): void {
    const ts = this.assigner ? this.assigner(value, Number.isNaN(recordTimestamp) ? undefined : recordTimestamp) : recordTimestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) {
      throw new WeirError('INVALID_TIMESTAMP', `the timestamp assigner returned ${String(ts)} for a record; it must return epoch milliseconds as a finite number`, true);
    }
    this.owner.emitRecord(value, ts);
    this.generator.onEvent(value, ts, this);
  }

  emitWatermark(timestamp: number): void {
    if (timestamp <= this.watermark && !this.idle) return;
    if (timestamp > this.watermark) this.watermark = timestamp;
    this.idle = false;
    this.owner.combine();
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.owner.combine();
  }

  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.owner.combine();
  }
}

/** Without timestamps to assign and watermarks to generate, records pass as they come. */
class PlainOutput implements SourceOutput<unknown> {
  constructor(private readonly owner: SourceOutputs) {}
  collect(value: unknown): void {
    this.owner.emitRecord(value, NaN);
  }
  collectWithTimestamp(value: unknown, timestamp: number): void {
    this.owner.emitRecord(value, timestamp);
  }
}

export class SourceOutputs implements ReaderOutput<unknown> {
  recordsOut = 0;
  private readonly main: SourceOutput<unknown>;
  private readonly splits = new Map<string, SourceOutput<unknown>>();
  private emitted = -Infinity;
  private idle = false;
  private ended = false;

  constructor(
    private readonly output: Output,
    /** undefined: the strategy assigns no timestamps and generates no watermarks. */
    private readonly strategy: WatermarkStrategy<unknown> | undefined,
    private readonly processingTime: ProcessingTimeService,
  ) {
    this.main = this.newOutput();
  }

  /** Whether there are generators to ask periodically. */
  get generatesWatermarks(): boolean {
    return this.strategy !== undefined;
  }

  private newOutput(): SourceOutput<unknown> {
    const s = this.strategy;
    if (!s) return new PlainOutput(this);
    return new WatermarkedOutput(this, s.createWatermarkGenerator({ currentProcessingTime: () => this.processingTime.now() }), s.timestampAssigner);
  }

  emitRecord(value: unknown, timestamp: number): void {
    this.recordsOut++;
    this.output.collect(value, timestamp);
  }

  collect(value: unknown): void {
    this.main.collect(value);
  }

  collectWithTimestamp(value: unknown, timestamp: number): void {
    this.main.collectWithTimestamp(value, timestamp);
  }

  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    this.output.collectSide(tag.id, value, timestamp);
  }

  createOutputForSplit(splitId: string): SourceOutput<unknown> {
    let out = this.splits.get(splitId);
    if (!out) {
      out = this.newOutput();
      this.splits.set(splitId, out);
    }
    return out;
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.splits.delete(splitId)) this.combine();
  }

  /** The outputs whose watermarks count: the splits' once there are any, else the main one. */
  private counted(): Iterable<SourceOutput<unknown>> {
    return this.splits.size > 0 ? this.splits.values() : [this.main];
  }

  /** Recomputes the subtask's watermark and idleness from its outputs and emits what changed. */
  combine(): void {
    if (this.ended || !this.strategy) return;
    let lowest = Infinity;
    let anyActive = false;
    for (const o of this.counted()) {
      const w = o as WatermarkedOutput;
      if (w.idle) continue;
      anyActive = true;
      if (w.watermark < lowest) lowest = w.watermark;
    }
    if (!anyActive) {
      if (!this.idle) {
        this.idle = true;
        this.output.emitWatermarkStatus(true);
      }
      return;
    }
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus(false);
    }
    if (lowest > this.emitted && lowest !== Infinity) {
      this.emitted = lowest;
      this.output.emitWatermark(lowest);
    }
  }

  /** Periodic emission: every generator is asked for its watermark. */
  periodicEmit(): void {
    if (this.ended || !this.strategy) return;
    const outputs = this.splits.size > 0 ? [this.main, ...this.splits.values()] : [this.main];
    for (const o of outputs) (o as WatermarkedOutput).generator.onPeriodicEmit(o as WatermarkedOutput);
    this.output.flush();
  }

  /** The end of a bounded source is the end of event time, as in Flink. */
  end(): void {
    this.ended = true;
    if (this.idle) this.output.emitWatermarkStatus(false);
    this.output.emitWatermark(Infinity);
  }
}
