/**
 * Assigns event timestamps and generates watermarks (periodically, every
 * `pipeline.auto-watermark-interval`, and whenever the generator emits from onEvent).
 * Watermarks from upstream are swallowed except the final +Infinity, as in Flink.
 */
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy, TimestampAssigner } from '../../api/watermarks.ts';
import { WeirError } from '../../errors/index.ts';
import type { RecordBatch } from '../stream-element.ts';
import { StreamOperator } from './stream-operator.ts';
import { DEFAULT_AUTO_WATERMARK_INTERVAL_MS, autoWatermarkInterval } from './watermark-interval.ts';

export class TimestampsAndWatermarksOperator extends StreamOperator implements WatermarkOutput {
  private generator!: WatermarkGenerator<unknown>;
  private assigner: TimestampAssigner<unknown> | undefined;
  private intervalMs = DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
  private lastEmitted = -Infinity;
  private idle = false;
  private finished = false;

  constructor(private readonly strategy: WatermarkStrategy<unknown>) {
    super();
  }

  override open(): void {
    const pts = this.setup.processingTime;
    this.generator = this.strategy.createWatermarkGenerator({ currentProcessingTime: () => pts.now() });
    this.assigner = this.strategy.timestampAssigner;
    this.intervalMs = autoWatermarkInterval(this.setup.config);
    if (this.intervalMs > 0) pts.schedule(pts.now() + this.intervalMs, this);
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    const assigner = this.assigner;
    const gen = this.generator;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const recordTs = timestamps[i]!;
      const ts = assigner ? assigner(v, Number.isNaN(recordTs) ? undefined : recordTs) : recordTs;
      if (typeof ts !== 'number' || !Number.isFinite(ts)) {
        throw new WeirError(
          'INVALID_TIMESTAMP',
          `the timestamp assigner returned ${String(ts)} for a record; it must return epoch milliseconds as a finite number`,
          true,
        );
      }
      this.output.collect(v, ts);
      gen.onEvent(v, ts, this);
    }
  }

  /** Periodic emission. */
  onProcessingTime(time: number): void {
    if (this.finished) return;
    try {
      this.generator.onPeriodicEmit(this);
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
    const pts = this.setup.processingTime;
    pts.schedule(Math.max(time + this.intervalMs, pts.now()), this);
  }

  emitWatermark(timestamp: number): void {
    if (timestamp <= this.lastEmitted) return;
    this.lastEmitted = timestamp;
    if (this.idle) this.markActive();
    this.output.emitWatermark(timestamp);
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.output.emitWatermarkStatus(true);
  }

  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.output.emitWatermarkStatus(false);
  }

  override processWatermark(timestamp: number): void {
    if (timestamp === Infinity) {
      this.finished = true;
      this.emitWatermark(Infinity);
    }
  }

  override processWatermarkStatus(): void {}
}
