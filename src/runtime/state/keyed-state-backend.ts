/**
 * The keyed state backend contract: what operators see of keyed state, whatever backend
 * holds it (heap today; RocksDB next). Operators set the current key per record and read
 * state synchronously; before a batch (or a round of timers) runs, the task calls `prefetch`
 * with the keys it will touch, which a disk backend uses to multi-get into its cache (the
 * heap backend has nothing to do). That keeps user code synchronous and state I/O batched.
 *
 * State is owned per key group: a backend holds the key groups of one KeyGroupRange, and
 * `snapshot` / `restore` move state per key group in a canonical form every backend reads
 * (snapshot/keyed-state-snapshot.ts), which is how a job restores at another parallelism.
 * Timers are keyed state too: the backend creates the queues timer services keep them in.
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
import type { KeyGroupRange, KeyValue } from './key-group.ts';
import type { KeyRef } from './key-identity.ts';
import type { KeyedStateSnapshot } from './snapshot/keyed-state-snapshot.ts';
import type { TimerQueue } from './timer-queue.ts';

export const VOID_NAMESPACE = '';

/** Keyed state whose scope (namespace) can be switched, e.g. to a window. */
export interface InternalKvState {
  readonly descriptor: StateDescriptor;
  setCurrentNamespace(namespace: string): void;
  /** Removes the current key's state in the current namespace. */
  clear(): void;
  /** The namespaces that hold state for any key (window operators rebuild from them on restore). */
  namespaces(): string[];
  /** The keys with state in `namespace`. */
  keysIn(namespace: string): KeyRef[];
  /** Removes `namespace` for every key at once. */
  clearNamespace(namespace: string): void;
}

/** State whose namespaces merge (session windows): list, reducing and aggregating state. */
export interface InternalMergingState extends InternalKvState {
  /** Merges the current key's state in `sources` into `target` and removes the sources. */
  mergeNamespaces(target: string, sources: readonly string[]): void;
}

export interface InternalListState<T> extends ListState<T>, InternalMergingState {}

export interface InternalReducingState<T> extends ReducingState<T>, InternalMergingState {}

export interface InternalAggregatingState<IN, ACC, OUT> extends AggregatingState<IN, OUT>, InternalMergingState {
  /** The current key's accumulator in the current namespace; undefined when there is none. */
  getAccumulator(): ACC | undefined;
  /** Replaces the current key's accumulator in the current namespace. */
  updateAccumulator(acc: ACC): void;
  /**
   * The accumulators of `keys` in the current namespace, read without changing the current
   * key: out[i] is keys[i]'s (undefined when it has none). One call for many keys, so a disk
   * backend can read them in one multi-get. They are for reading: change a copy, never them.
   */
  getAccumulatorsOf(keys: readonly KeyRef[], out: (ACC | undefined)[]): void;
}

export interface InternalValueState<T> extends ValueState<T>, InternalKvState {
  /**
   * The current key's value is about to be changed in place (a reduce that reuses its first
   * argument), not replaced through update(): a snapshot being taken keeps it first, a
   * caching backend marks it changed.
   */
  willChangeInPlace(): void;
}

export interface InternalMapState<K, V> extends MapState<K, V>, InternalKvState {}

export interface KeyedStateBackend {
  readonly maxParallelism: number;
  /** The key groups this backend holds; a key outside them is a routing bug. */
  readonly keyGroupRange: KeyGroupRange;
  setCurrentKey(key: KeyValue): void;
  getCurrentKey(): KeyValue;
  /** The current key with its identity and key group, as a stable copy (for timers and slices to keep). */
  currentKeyRef(): KeyRef;
  /** The same as a live view that changes with the current key: read it, never keep it. */
  currentKeyView(): KeyRef;
  /** Makes a key remembered as a KeyRef current again, without hashing it. */
  setCurrentKeyRef(ref: KeyRef): void;
  /** False when state is always readable synchronously (heap): operators then skip collecting keys. */
  readonly prefetches: boolean;
  /** Makes state for these keys readable synchronously; undefined when already so. */
  prefetch(keys: readonly KeyValue[]): Promise<void> | undefined;
  /** The same for keys remembered as KeyRefs (window slices, timers): no hashing again; duplicates are fine. */
  prefetchRefs(refs: readonly KeyRef[]): Promise<void> | undefined;
  getValueState<T>(d: ValueStateDescriptor<T>): InternalValueState<T>;
  getListState<T>(d: ListStateDescriptor<T>): InternalListState<T>;
  getMapState<K, V>(d: MapStateDescriptor<K, V>): InternalMapState<K, V>;
  getReducingState<T>(d: ReducingStateDescriptor<T>): InternalReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): InternalAggregatingState<IN, ACC, OUT>;
  /** The queue of one timer service's timers in one time domain (kept and snapshotted as keyed state). */
  timerQueue(service: string, domain: TimerDomain): TimerQueue;
  /** The state of the key groups in `range` (default: all this backend holds), in the canonical form. */
  snapshot(range?: KeyGroupRange): KeyedStateSnapshot;
  /**
   * The same in two parts: what the state holds now, taken at once (the task's pause at a
   * barrier), and its encoding, which `complete` does while the task goes on processing.
   */
  captureSnapshot(range?: KeyGroupRange): KeyedStateCapture;
  /**
   * Takes the key groups of this backend's range from `snapshots` (those of the subtasks that
   * held them before, at any parallelism). Call before any state is registered.
   */
  restore(snapshots: readonly KeyedStateSnapshot[]): void;
  /** Number of (key, namespace) entries over all states; for tests and metrics. */
  entryCount(): number;
  dispose(): void;
  /** Disposes and waits until what the backend holds outside the heap (files) is released. */
  close(): Promise<void>;
}

export type TimerDomain = 'event' | 'processing';

/** A keyed snapshot taken but not yet encoded. */
export interface KeyedStateCapture {
  readonly maxParallelism: number;
  /** No state and no timers: there is nothing to write. */
  readonly empty: boolean;
  complete(): Promise<KeyedStateSnapshot>;
  /** The snapshot will not be completed (its checkpoint was declined): free what it holds. */
  discard(): void;
}
