/** WindowedStream (keyed) and AllWindowedStream (whole stream): window configuration and functions. */
import type { AggregateFunction, KeySelector, OutputTag, ReduceFunction } from './functions.ts';
import type { DataStream, SingleOutputStreamOperator } from './datastream.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { WindowFunctionSpec, WindowSpec } from './transformation.ts';
import type { WindowAssigner } from './windows/assigners.ts';
import type { Evictor } from './windows/evictors.ts';
import type { Trigger } from './windows/triggers.ts';
import type { Window } from './windows/window.ts';
import type { ProcessAllWindowFunction, ProcessWindowFunction } from './windows/window-functions.ts';
import { aggregationReducer } from './aggregations.ts';
import type { AggregationKind, FieldRef } from './aggregations.ts';

/** Settings shared by keyed and all-windows. */
abstract class WindowConfig<T, W extends Window> {
  protected triggerFn: Trigger<T, W>;
  protected evictorFn: Evictor<T, W> | undefined;
  protected allowedLatenessMs = 0;
  protected lateDataTag: OutputTag<T> | undefined;

  constructor(protected readonly assigner: WindowAssigner<T, W>) {
    this.triggerFn = assigner.getDefaultTrigger();
  }

  trigger(trigger: Trigger<T, W>): this {
    this.triggerFn = trigger;
    return this;
  }

  evictor(evictor: Evictor<T, W>): this {
    this.evictorFn = evictor;
    return this;
  }

  /** Keeps window state this long past the window's end, so late records still update it. */
  allowedLateness(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`allowedLateness needs a duration >= 0 ms, got ${ms}`);
    this.allowedLatenessMs = ms;
    return this;
  }

  /** Records too late for any window go to this side output instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateDataTag = tag;
    return this;
  }

  protected spec(fn: WindowFunctionSpec): WindowSpec {
    return {
      kind: 'window',
      assigner: this.assigner as WindowAssigner<unknown, Window>,
      trigger: this.triggerFn as Trigger<unknown, Window>,
      evictor: this.evictorFn as Evictor<unknown, Window> | undefined,
      allowedLatenessMs: this.allowedLatenessMs,
      lateDataTag: this.lateDataTag as OutputTag<unknown> | undefined,
      fn,
    };
  }

  protected describe(fnName: string): string {
    const evictor = this.evictorFn ? `, ${this.evictorFn.toString()}` : '';
    return `Window(${this.assigner.toString()}, ${this.triggerFn.toString()}${evictor}, ${fnName})`;
  }

  protected abstract build<O>(fn: WindowFunctionSpec, fnName: string): SingleOutputStreamOperator<O>;

  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    return this.build({ kind: 'reduce', reduce: fn as ReduceFunction<unknown> }, 'Reduce');
  }

  private aggregation(kind: AggregationKind, field: FieldRef, first?: boolean): SingleOutputStreamOperator<T> {
    return this.build({ kind: 'reduce', reduce: aggregationReducer<unknown>(kind, field, first) }, kind);
  }

  sum(field?: FieldRef): SingleOutputStreamOperator<T> {
    return this.aggregation('sum', field);
  }
  min(field?: FieldRef): SingleOutputStreamOperator<T> {
    return this.aggregation('min', field);
  }
  max(field?: FieldRef): SingleOutputStreamOperator<T> {
    return this.aggregation('max', field);
  }
  minBy(field?: FieldRef, first = true): SingleOutputStreamOperator<T> {
    return this.aggregation('minBy', field, first);
  }
  maxBy(field?: FieldRef, first = true): SingleOutputStreamOperator<T> {
    return this.aggregation('maxBy', field, first);
  }
}

export class WindowedStream<T, K, W extends Window> extends WindowConfig<T, W> {
  constructor(
    private readonly keyed: KeyedStream<T, K>,
    assigner: WindowAssigner<T, W>,
  ) {
    super(assigner);
  }

  protected build<O>(fn: WindowFunctionSpec, fnName: string): SingleOutputStreamOperator<O> {
    return this.keyed.keyedOperator<O>(this.spec(fn), this.describe(fnName));
  }

  reduceWith<O>(reduce: ReduceFunction<T>, process: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O> {
    return this.build({ kind: 'reduce', reduce: reduce as ReduceFunction<unknown>, process: { keyed: true, fn: process as unknown as ProcessWindowFunction<unknown, unknown, unknown, Window> } }, 'Reduce+Process');
  }

  aggregate<ACC, R, O = R>(agg: AggregateFunction<T, ACC, R>, process?: ProcessWindowFunction<R, O, K, W>): SingleOutputStreamOperator<O> {
    const p = process ? { keyed: true as const, fn: process as unknown as ProcessWindowFunction<unknown, unknown, unknown, Window> } : undefined;
    return this.build({ kind: 'aggregate', aggregate: agg as AggregateFunction<unknown, unknown, unknown>, process: p }, process ? 'Aggregate+Process' : 'Aggregate');
  }

  process<O>(fn: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O> {
    return this.build({ kind: 'process', process: { keyed: true, fn: fn as unknown as ProcessWindowFunction<unknown, unknown, unknown, Window> } }, 'Process');
  }
}

const allKey: KeySelector<unknown, number> = () => 0;

export class AllWindowedStream<T, W extends Window> extends WindowConfig<T, W> {
  constructor(
    private readonly input: DataStream<T>,
    assigner: WindowAssigner<T, W>,
  ) {
    super(assigner);
  }

  protected build<O>(fn: WindowFunctionSpec, fnName: string): SingleOutputStreamOperator<O> {
    const keyed = this.input.keyBy(allKey as KeySelector<T, number>);
    return keyed.keyedOperator<O>(this.spec(fn), this.describe(fnName).replace(/^Window/, 'AllWindow')).setParallelism(1).setMaxParallelism(1);
  }

  reduceWith<O>(reduce: ReduceFunction<T>, process: ProcessAllWindowFunction<T, O, W>): SingleOutputStreamOperator<O> {
    return this.build({ kind: 'reduce', reduce: reduce as ReduceFunction<unknown>, process: { keyed: false, fn: process as unknown as ProcessAllWindowFunction<unknown, unknown, Window> } }, 'Reduce+Process');
  }

  aggregate<ACC, R, O = R>(agg: AggregateFunction<T, ACC, R>, process?: ProcessAllWindowFunction<R, O, W>): SingleOutputStreamOperator<O> {
    const p = process ? { keyed: false as const, fn: process as unknown as ProcessAllWindowFunction<unknown, unknown, Window> } : undefined;
    return this.build({ kind: 'aggregate', aggregate: agg as AggregateFunction<unknown, unknown, unknown>, process: p }, process ? 'Aggregate+Process' : 'Aggregate');
  }

  process<O>(fn: ProcessAllWindowFunction<T, O, W>): SingleOutputStreamOperator<O> {
    return this.build({ kind: 'process', process: { keyed: false, fn: fn as unknown as ProcessAllWindowFunction<unknown, unknown, Window> } }, 'Process');
  }
}
