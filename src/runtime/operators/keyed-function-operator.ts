/** Base of operators that run a keyed user function with timers (KeyedProcess, KeyedCoProcess). */
import type { Collector, OnTimerContext } from '../../api/functions.ts';
import type { Timer } from '../task/internal-timer-service.ts';
import { KeyedOperator } from './keyed-operator.ts';
import { ProcessContextImpl } from './process-context.ts';
import { TimestampedCollector } from './simple-operators.ts';
import { StreamingRuntimeContext } from './streaming-runtime-context.ts';
import { closeFunction, openFunction } from './stream-operator.ts';

interface TimedFunction {
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>): void;
}

export abstract class KeyedFunctionOperator<F extends TimedFunction> extends KeyedOperator {
  protected readonly collector = new TimestampedCollector(this);
  protected ctx!: ProcessContextImpl;

  constructor(protected readonly fn: F) {
    super();
  }

  override async open(): Promise<void> {
    await super.open();
    this.ctx = new ProcessContextImpl(this, this.timers);
    await openFunction(this.fn, new StreamingRuntimeContext(this.setup));
  }

  override async close(): Promise<void> {
    await closeFunction(this.fn);
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

  /** Fired from the task's processing-time service, outside any batch: attribute and flush here. */
  onProcessingTime(timer: Timer): void {
    try {
      this.fire(timer, 'PROCESSING_TIME');
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
  }
}
