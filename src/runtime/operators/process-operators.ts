/** ProcessFunction, KeyedProcessFunction and the rolling reduce of keyed streams. */
import type { KeyedProcessFunction, ProcessFunction, ReduceFunction } from '../../api/functions.ts';
import { ValueStateDescriptor } from '../../api/state.ts';
import type { ValueState } from '../../api/state.ts';
import type { RecordBatch } from '../stream-element.ts';
import type { Timer } from '../task/internal-timer-service.ts';
import { KeyedOperator } from './keyed-operator.ts';
import { ProcessContextImpl } from './process-context.ts';
import { TimestampedCollector } from './simple-operators.ts';
import { StreamingRuntimeContext } from './streaming-runtime-context.ts';
import { StreamOperator, closeFunction, openFunction } from './stream-operator.ts';

export class ProcessOperator extends StreamOperator {
  private readonly collector = new TimestampedCollector(this);
  private readonly ctx = new ProcessContextImpl(this, undefined);

  constructor(private readonly fn: ProcessFunction<unknown, unknown>) {
    super();
  }

  override async open(): Promise<void> {
    await openFunction(this.fn, new StreamingRuntimeContext(this.setup));
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.collector.timestamp = this.ctx.currentTimestamp = timestamps[i]!;
      this.fn.processElement(values[i], this.ctx, this.collector);
    }
  }

  override processWatermark(timestamp: number): void {
    this.ctx.watermark = timestamp;
    this.output.emitWatermark(timestamp);
  }

  override async close(): Promise<void> {
    await closeFunction(this.fn);
  }
}

export class KeyedProcessOperator extends KeyedOperator {
  private readonly collector = new TimestampedCollector(this);
  private ctx!: ProcessContextImpl;

  constructor(private readonly fn: KeyedProcessFunction<unknown, unknown, unknown>) {
    super();
  }

  override async open(): Promise<void> {
    super.open();
    this.ctx = new ProcessContextImpl(this, this.timers);
    await openFunction(this.fn, new StreamingRuntimeContext(this.setup));
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], 0);
      this.collector.timestamp = this.ctx.currentTimestamp = timestamps[i]!;
      this.fn.processElement(values[i], this.ctx, this.collector);
    }
  }

  private fire(timer: Timer, domain: 'EVENT_TIME' | 'PROCESSING_TIME'): void {
    if (!this.fn.onTimer) return;
    this.ctx.domain = domain;
    // Event-time timer output carries the timer's time; processing-time output has no event time (as Flink).
    this.collector.timestamp = this.ctx.currentTimestamp = domain === 'EVENT_TIME' ? timer.time : NaN;
    this.fn.onTimer(timer.time, this.ctx, this.collector);
  }

  onEventTime(timer: Timer): void {
    this.fire(timer, 'EVENT_TIME');
  }

  onProcessingTime(timer: Timer): void {
    try {
      this.fire(timer, 'PROCESSING_TIME');
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
  }

  override async close(): Promise<void> {
    await closeFunction(this.fn);
  }
}

/** Keyed reduce: keeps the running aggregate per key and emits it on every record. */
export class RollingReduceOperator extends KeyedOperator {
  private state!: ValueState<unknown>;

  constructor(private readonly reduce: ReduceFunction<unknown>) {
    super();
  }

  override open(): void {
    super.open();
    this.state = this.backend.getValueState(new ValueStateDescriptor<unknown>('_rolling_reduce'));
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], 0);
      const current = this.state.value();
      const next = current === undefined ? values[i] : this.reduce(current, values[i]);
      this.state.update(next);
      this.output.collect(next, timestamps[i]!);
    }
  }

  onEventTime(): void {}
  onProcessingTime(): void {}
}
