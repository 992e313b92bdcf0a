/**
 * The keyed state backend contract. Operators set the current key per record and read
 * state synchronously; before a batch runs, the task calls `prefetch` with the batch's
 * keys, which a disk backend uses to multi-get into its cache (the heap backend has
 * nothing to do). That keeps user code synchronous and state I/O batched.
 */
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../../api/state.ts';
import type { KeyValue } from './key-group.ts';

export const VOID_NAMESPACE = '';

/** Keyed state whose scope (namespace) can be switched, e.g. to a window. */
export interface InternalKvState {
  readonly descriptor: StateDescriptor;
  setCurrentNamespace(namespace: string): void;
  /** Merges the state of `sources` into `target` (session windows). */
  mergeNamespaces(target: string, sources: readonly string[]): void;
  /** Removes the current key's state in the current namespace. */
  clear(): void;
}

export interface KeyedStateBackend {
  setCurrentKey(key: KeyValue): void;
  getCurrentKey(): KeyValue;
  /** False when state is always readable synchronously (heap): operators then skip collecting keys. */
  readonly prefetches: boolean;
  /** Makes state for these keys readable synchronously; undefined when already so. */
  prefetch(keys: readonly KeyValue[]): Promise<void> | undefined;
  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> & InternalKvState;
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> & InternalKvState;
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> & InternalKvState;
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> & InternalKvState;
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> & InternalKvState;
  /** Number of (key, namespace) entries over all states; for tests and metrics. */
  entryCount(): number;
  dispose(): void;
}

/**
 * The identity a key has inside Map-based tables: primitives as they are (Map compares
 * them by value), arrays as a canonical string so that equal composite keys collide.
 */
export function keyIdentity(key: KeyValue): string | number | bigint | boolean {
  if (!Array.isArray(key)) return key as string | number | bigint | boolean;
  return `\u0000${JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}
