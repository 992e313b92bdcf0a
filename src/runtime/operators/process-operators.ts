/** ProcessFunction, KeyedProcessFunction and the rolling reduce of keyed streams. */
import type { KeyedProcessFunction, ProcessFunction, ReduceFunction } from '../../api/functions.ts';
import { ValueStateDescriptor } from '../../api/state.ts';
import type { InternalValueState } from '../state/keyed-state-backend.ts';
import type { RecordBatch } from '../stream-element.ts';
import { KeyedOperator } from './keyed-operator.ts';
import { KeyedFunctionOperator } from './keyed-function-operator.ts';
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

export class KeyedProcessOperator extends KeyedFunctionOperator<KeyedProcessFunction<unknown, unknown, unknown>> {
  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], 0);
      this.collector.timestamp = this.ctx.currentTimestamp = timestamps[i]!;
      this.fn.processElement(values[i], this.ctx, this.collector);
    }
  }
}

/** Keyed reduce: keeps the running aggregate per key and emits it on every record. */
export class RollingReduceOperator extends KeyedOperator {
  private state!: InternalValueState<unknown>;

  constructor(private readonly reduce: ReduceFunction<unknown>) {
    super();
  }

  override async open(): Promise<void> {
    await super.open();
    this.state = this.backend.getValueState(new ValueStateDescriptor<unknown>('_rolling_reduce'));
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], 0);
      const current = this.state.value();
      // The reduce may change `current`, the stored value, in place.
      if (current !== undefined) this.state.willChangeInPlace();
      const next = current === undefined ? values[i] : this.reduce(current, values[i]);
      this.state.update(next);
      this.output.collect(next, timestamps[i]!);
    }
  }

  onEventTime(): void {}
  onProcessingTime(): void {}
}
