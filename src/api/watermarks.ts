/**
 * Event time: timestamp assigners and watermark generators, as Flink's WatermarkStrategy.
 * Watermarks are epoch milliseconds; -Infinity means "no watermark yet" and +Infinity is
 * the end of event time, emitted when a bounded input ends.
 */
export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  /** No events will come for a while; downstream must not wait for this input. */
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGenerator<T> {
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every `pipeline.auto-watermark-interval` of processing time. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

export interface WatermarkGeneratorContext {
  currentProcessingTime(): number;
}

/** Returns the event timestamp in epoch ms; recordTimestamp is the one the source attached, if any. */
export type TimestampAssigner<T> = (element: T, recordTimestamp: number | undefined) => number;

type GeneratorFactory<T> = (ctx: WatermarkGeneratorContext) => WatermarkGenerator<T>;

export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp = -Infinity;

  constructor(private readonly outOfOrdernessMs: number) {}

  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    // Same as Flink: the watermark says "no more events at or before this time".
    output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
  }
}

/**
 * Declares an input idle after idleTimeoutMs of processing time without events. A periodic
 * check that follows events never finds the input idle (as Flink's IdlenessTimer), so the
 * watermark those events allow is emitted before the input may go idle.
 */
class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private lastActivity: number;
  private sawEvent = false;
  private idle = false;

  constructor(
    private readonly inner: WatermarkGenerator<T>,
    private readonly idleTimeoutMs: number,
    private readonly ctx: WatermarkGeneratorContext,
  ) {
    this.lastActivity = ctx.currentProcessingTime();
  }

  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.lastActivity = this.ctx.currentProcessingTime();
    this.sawEvent = true;
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.inner.onEvent(event, timestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.idle) return;
    const sawEvent = this.sawEvent;
    this.sawEvent = false;
    if (!sawEvent && this.ctx.currentProcessingTime() - this.lastActivity >= this.idleTimeoutMs) {
      this.idle = true;
      output.markIdle();
      return;
    }
    this.inner.onPeriodicEmit(output);
  }
}

const NO_WATERMARKS: WatermarkGenerator<unknown> = { onEvent() {}, onPeriodicEmit() {} };

export class WatermarkStrategy<T> {
  private constructor(
    private readonly factory: GeneratorFactory<T>,
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    readonly idleTimeoutMs: number | undefined,
    readonly description: string,
    /** True when the strategy emits no event-time progress at all. */
    readonly emitsNoWatermarks: boolean,
  ) {}

  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!Number.isFinite(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
      throw new RangeError(`forBoundedOutOfOrderness needs a duration >= 0 ms, got ${maxOutOfOrdernessMs}`);
    }
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs),
      undefined,
      undefined,
      `BoundedOutOfOrderness(${maxOutOfOrdernessMs}ms)`,
      false,
    );
  }

  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(0), undefined, undefined, 'MonotonousTimestamps', false);
  }

  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => NO_WATERMARKS as WatermarkGenerator<T>, undefined, undefined, 'NoWatermarks', true);
  }

  /** A custom generator, periodic or punctuated (emitting from onEvent). */
  static forGenerator<T>(factory: GeneratorFactory<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory, undefined, undefined, 'Custom', false);
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.factory, assigner, this.idleTimeoutMs, this.description, this.emitsNoWatermarks);
  }

  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0) {
      throw new RangeError(`withIdleness needs a timeout > 0 ms, got ${idleTimeoutMs}`);
    }
    return new WatermarkStrategy<T>(this.factory, this.timestampAssigner, idleTimeoutMs, this.description, this.emitsNoWatermarks);
  }

  createWatermarkGenerator(ctx: WatermarkGeneratorContext): WatermarkGenerator<T> {
    const generator = this.factory(ctx);
    return this.idleTimeoutMs === undefined ? generator : new WatermarksWithIdleness(generator, this.idleTimeoutMs, ctx);
  }
}
