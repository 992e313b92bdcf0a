/**
 * Keyed state as job authors see it: always scoped to the current key (and, inside
 * windows, to the current window). Reads are synchronous; the runtime prefetches what a
 * batch needs before user code runs, so a disk backend can read in batches.
 */
import type { AggregateFunction, ReduceFunction } from './functions.ts';
import type { StateTtlConfig } from './state-ttl.ts';

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface ListState<T> {
  get(): T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): [K, V][];
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}

export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

abstract class StateDescriptorBase {
  abstract readonly kind: StateKind;
  ttl: StateTtlConfig | undefined;

  constructor(readonly name: string) {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('a state descriptor needs a non-empty name');
  }

  enableTimeToLive(config: StateTtlConfig): this {
    this.ttl = config;
    return this;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = 'value';
  constructor(
    name: string,
    readonly defaultValue?: T,
  ) {
    super(name);
  }
}

export class ListStateDescriptor<T> extends StateDescriptorBase {
  declare readonly __type?: T;
  readonly kind = 'list';
}

export class MapStateDescriptor<K, V> extends StateDescriptorBase {
  declare readonly __type?: [K, V];
  readonly kind = 'map';
}

export class ReducingStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = 'reducing';
  constructor(
    name: string,
    readonly reduce: ReduceFunction<T>,
  ) {
    super(name);
  }
}

export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptorBase {
  readonly kind = 'aggregating';
  constructor(
    name: string,
    readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(name);
  }
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;
