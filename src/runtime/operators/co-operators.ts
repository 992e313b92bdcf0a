/** Two-input operators: CoMap, CoFlatMap, CoProcess and KeyedCoProcess. */
import type { CoFlatMapFunction, CoMapFunction, CoProcessFunction, KeyedCoProcessFunction } from '../../api/functions.ts';
import type { RecordBatch } from '../stream-element.ts';
import { KeyedFunctionOperator } from './keyed-function-operator.ts';
import { ProcessContextImpl } from './process-context.ts';
import { TimestampedCollector } from './simple-operators.ts';
import { StreamingRuntimeContext } from './streaming-runtime-context.ts';
import { StreamOperator, closeFunction, openFunction } from './stream-operator.ts';

/** The watermark of a two-input operator is the minimum of its inputs', idle inputs excluded. */
export class TwoInputWatermarks {
  private readonly wm = [-Infinity, -Infinity];
  private readonly idle = [false, false];
  private combined = -Infinity;

  /** Returns the new combined watermark, or undefined when it did not advance. */
  update(input: number, timestamp: number): number | undefined {
    this.wm[input] = timestamp;
    return this.recompute();
  }

  setIdle(input: number, idle: boolean): number | undefined {
    this.idle[input] = idle;
    return this.recompute();
  }

  /** The operator's output is idle when both inputs are (as Flink's combined watermark status). */
  allIdle(): boolean {
    return this.idle[0]! && this.idle[1]!;
  }

  /**
   * Applies an input's status change: forwards the output's status when it changes (active
   * before any watermark, idle after) and reports the combined watermark if it advanced.
   */
  applyStatus(input: number, idle: boolean, output: { emitWatermarkStatus(idle: boolean): void }): number | undefined {
    const wasIdle = this.allIdle();
    if (wasIdle && !idle) output.emitWatermarkStatus(false);
    const w = this.setIdle(input, idle);
    if (!wasIdle && this.allIdle()) output.emitWatermarkStatus(true);
    return w;
  }

  private recompute(): number | undefined {
    const active = [0, 1].filter((i) => !this.idle[i]);
    if (active.length === 0) return undefined;
    const min = Math.min(...active.map((i) => this.wm[i]!));
    if (min <= this.combined) return undefined;
    this.combined = min;
    return min;
  }
}

abstract class CoFunctionOperator extends StreamOperator {
  protected readonly collector = new TimestampedCollector(this);
  protected readonly ctx = new ProcessContextImpl(this, undefined);
  private readonly watermarks = new TwoInputWatermarks();

  constructor(protected readonly fn: object) {
    super();
  }

  override async open(): Promise<void> {
    await openFunction(this.fn, new StreamingRuntimeContext(this.setup));
  }

  override async close(): Promise<void> {
    await closeFunction(this.fn);
  }

  processBatch(batch: RecordBatch, input: number): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.collector.timestamp = this.ctx.currentTimestamp = timestamps[i]!;
      this.element(values[i], input);
    }
  }

  protected abstract element(value: unknown, input: number): void;

  override processWatermark(timestamp: number, input: number): void {
    const w = this.watermarks.update(input, timestamp);
    if (w !== undefined) {
      this.ctx.watermark = w;
      this.output.emitWatermark(w);
    }
  }

  override processWatermarkStatus(idle: boolean, input: number): void {
    const w = this.watermarks.applyStatus(input, idle, this.output);
    if (w !== undefined) {
      this.ctx.watermark = w;
      this.output.emitWatermark(w);
    }
  }
}

export class CoMapOperator extends CoFunctionOperator {
  protected element(value: unknown, input: number): void {
    const f = this.fn as CoMapFunction<unknown, unknown, unknown>;
    this.collector.collect(input === 0 ? f.map1(value) : f.map2(value));
  }
}

export class CoFlatMapOperator extends CoFunctionOperator {
  protected element(value: unknown, input: number): void {
    const f = this.fn as CoFlatMapFunction<unknown, unknown, unknown>;
    if (input === 0) f.flatMap1(value, this.collector);
    else f.flatMap2(value, this.collector);
  }
}

export class CoProcessOperator extends CoFunctionOperator {
  protected element(value: unknown, input: number): void {
    const f = this.fn as CoProcessFunction<unknown, unknown, unknown>;
    if (input === 0) f.processElement1(value, this.ctx, this.collector);
    else f.processElement2(value, this.ctx, this.collector);
  }
}

export class KeyedCoProcessOperator extends KeyedFunctionOperator<KeyedCoProcessFunction<unknown, unknown, unknown, unknown>> {
  private readonly watermarks = new TwoInputWatermarks();

  processBatch(batch: RecordBatch, input: number): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], input);
      this.collector.timestamp = this.ctx.currentTimestamp = timestamps[i]!;
      if (input === 0) this.fn.processElement1(values[i], this.ctx, this.collector);
      else this.fn.processElement2(values[i], this.ctx, this.collector);
    }
  }

  override processWatermark(timestamp: number, input: number): void {
    const w = this.watermarks.update(input, timestamp);
    if (w !== undefined) super.processWatermark(w, input);
  }

  override processWatermarkStatus(idle: boolean, input: number): void {
    const w = this.watermarks.applyStatus(input, idle, this.output);
    if (w !== undefined) super.processWatermark(w, input);
  }
}
