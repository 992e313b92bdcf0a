/**
 * The user-function contracts of the DataStream API. Every function may be a plain
 * function or an object with the method plus optional open/close (Flink's rich functions).
 */
import type { RuntimeContext } from './runtime-context.ts';

/** Receives the records a function emits. */
export interface Collector<T> {
  collect(value: T): void;
}

/** Optional lifecycle of any function object. */
export interface RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type MapFunction<I, O> = ((value: I) => O) | (RichFunction & { map(value: I): O });
export type FilterFunction<T> = ((value: T) => boolean) | (RichFunction & { filter(value: T): boolean });
export type FlatMapFunction<I, O> =
  | ((value: I, out: Collector<O>) => void)
  | (RichFunction & { flatMap(value: I, out: Collector<O>): void });
export type ReduceFunction<T> = (a: T, b: T) => T;
export type KeySelector<T, K> = (value: T) => K;

/** Incremental aggregation, as Flink's AggregateFunction. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** Identifies a side output; the id must be unique within the job. */
export class OutputTag<T> {
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('OutputTag needs a non-empty id');
  }
}

export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

export interface ProcessContext {
  /** The record's event timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  timeDomain(): TimeDomain;
}

/** ProcessFunction on a non-keyed stream. Timers need a keyed stream. */
export abstract class ProcessFunction<I, O> implements RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
}

export abstract class KeyedProcessFunction<K, I, O> implements RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

export type CoMapFunction<I1, I2, O> = RichFunction & { map1(value: I1): O; map2(value: I2): O };
export type CoFlatMapFunction<I1, I2, O> = RichFunction & {
  flatMap1(value: I1, out: Collector<O>): void;
  flatMap2(value: I2, out: Collector<O>): void;
};

export abstract class CoProcessFunction<I1, I2, O> implements RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<O>): void;
}

export abstract class KeyedCoProcessFunction<K, I1, I2, O> implements RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}
