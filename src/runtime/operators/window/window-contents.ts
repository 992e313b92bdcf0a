/**
 * How a window operator keeps a window's contents and turns them into results: a
 * reducing or aggregating state for incremental functions, or the list of elements when
 * the function needs them all (process) or an evictor may remove some.
 */
import { AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor } from '../../../api/state.ts';
import type { WindowFunctionSpec } from '../../../api/transformation.ts';
import type { TimestampedValue } from '../../../api/windows/evictors.ts';
import type { KeyedStateBackend, InternalMergingState } from '../../state/keyed-state-backend.ts';

export interface WindowContents {
  readonly state: InternalMergingState;
  /**
   * Whether a window keeps an added value itself, for its function to change in place later
   * (a reduce's first value): an element in several windows then needs a copy for each.
   */
  readonly keepsValues: boolean;
  add(value: unknown, timestamp: number): void;
  /** The function's input, or undefined when the window holds nothing. */
  read(): unknown[] | undefined;
  /** Evicting contents only: the stored elements, which an evictor may remove from. */
  elements?(): TimestampedValue<unknown>[];
  replaceElements?(elements: TimestampedValue<unknown>[]): void;
}

export function createWindowContents(backend: KeyedStateBackend, fn: WindowFunctionSpec, evicting: boolean): WindowContents {
  if (evicting) {
    const state = backend.getListState(new ListStateDescriptor<TimestampedValue<unknown>>('window-contents'));
    return {
      state,
      keepsValues: false,
      add: (value, timestamp) => state.add({ value, timestamp }),
      read: () => {
        const all = state.get();
        return all.length === 0 ? undefined : applyIncremental(fn, all.map((e) => e.value));
      },
      elements: () => state.get(),
      replaceElements: (elements) => state.update(elements),
    };
  }
  if (fn.kind === 'reduce') {
    const state = backend.getReducingState(new ReducingStateDescriptor<unknown>('window-contents', fn.reduce));
    return {
      state,
      keepsValues: true,
      add: (value) => state.add(value),
      read: () => {
        const v = state.get();
        return v === undefined ? undefined : [v];
      },
    };
  }
  if (fn.kind === 'aggregate') {
    const state = backend.getAggregatingState(new AggregatingStateDescriptor('window-contents', fn.aggregate));
    return {
      state,
      keepsValues: false,
      add: (value) => state.add(value),
      read: () => {
        const acc = state.getAccumulator();
        return acc === undefined ? undefined : [fn.aggregate.getResult(acc)];
      },
    };
  }
  const state = backend.getListState(new ListStateDescriptor<unknown>('window-contents'));
  return {
    state,
    keepsValues: false,
    add: (value) => state.add(value),
    read: () => {
      const all = state.get();
      return all.length === 0 ? undefined : all;
    },
  };
}

/** Applies a reduce/aggregate to a full element list (the evicting path). */
export function applyIncremental(fn: WindowFunctionSpec, values: unknown[]): unknown[] {
  if (values.length === 0) return [];
  if (fn.kind === 'reduce') return [values.reduce((a, b) => fn.reduce(a, b))];
  if (fn.kind === 'aggregate') {
    let acc = fn.aggregate.createAccumulator();
    for (const v of values) acc = fn.aggregate.add(v, acc);
    return [fn.aggregate.getResult(acc)];
  }
  return values;
}
