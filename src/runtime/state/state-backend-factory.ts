/**
 * Creates a subtask's keyed state backend as `state.backend.type` says, with Flink's names:
 * `hashmap` (the default; state on the heap) or `rocksdb`. The choice is checked when the
 * job is planned, so a bad value fails the submission instead of every task.
 */
import { WeirError } from '../../errors/index.ts';
import type { Clock } from '../task/clock.ts';
import type { KeyGroupRange } from './key-group.ts';
import type { KeyedStateBackend } from './keyed-state-backend.ts';
import { HeapKeyedStateBackend } from './heap/heap-keyed-state-backend.ts';

export type StateBackendType = 'hashmap' | 'rocksdb';

export const STATE_BACKEND_KEY = 'state.backend.type';

/** Flink's older names for the heap backend. */
const HEAP_ALIASES = new Set(['hashmap', 'heap', 'filesystem', 'jobmanager']);

export function stateBackendType(config: ReadonlyMap<string, string>): StateBackendType {
  const raw = config.get(STATE_BACKEND_KEY);
  if (raw === undefined) return 'hashmap';
  const value = raw.trim().toLowerCase();
  if (HEAP_ALIASES.has(value)) return 'hashmap';
  if (value === 'rocksdb') {
    throw new WeirError('INVALID_STATE_BACKEND', `${STATE_BACKEND_KEY}: rocksdb is not available in this version of Weir yet; use hashmap (state on the heap)`, false);
  }
  throw new WeirError('INVALID_STATE_BACKEND', `${STATE_BACKEND_KEY}: "${raw}" is not a state backend; use hashmap (state on the heap) or rocksdb`, false);
}

export interface BackendPlacement {
  readonly clock: Clock;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
}

export function createKeyedStateBackend(type: StateBackendType, placement: BackendPlacement): KeyedStateBackend {
  switch (type) {
    case 'hashmap':
      return new HeapKeyedStateBackend(placement);
    case 'rocksdb':
      throw new WeirError('INVALID_STATE_BACKEND', `${STATE_BACKEND_KEY}: rocksdb is not available in this version of Weir yet`, false);
  }
}
