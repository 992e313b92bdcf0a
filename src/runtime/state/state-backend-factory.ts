/**
 * Creates a subtask's keyed state backend as `state.backend.type` says, with Flink's names:
 * `hashmap` (the default; state on the heap) or `rocksdb` (state on disk, rocksdb/). The choice is checked when the
 * job is planned, so a bad value fails the submission instead of every task.
 */
import { WeirError } from '../../errors/index.ts';
import type { Clock } from '../task/clock.ts';
import type { KeyGroupRange } from './key-group.ts';
import type { KeyedStateBackend } from './keyed-state-backend.ts';
import { HeapKeyedStateBackend } from './heap/heap-keyed-state-backend.ts';
import { RocksDbKeyedStateBackend } from './rocksdb/rocksdb-keyed-state-backend.ts';
import { rocksDbOptions } from './rocksdb/rocksdb-options.ts';

export type StateBackendType = 'hashmap' | 'rocksdb';

export const STATE_BACKEND_KEY = 'state.backend.type';

/** Flink's older names for the heap backend. */
const HEAP_ALIASES = new Set(['hashmap', 'heap', 'filesystem', 'jobmanager']);

export function stateBackendType(config: ReadonlyMap<string, string>): StateBackendType {
  const raw = config.get(STATE_BACKEND_KEY);
  if (raw === undefined) return 'hashmap';
  const value = raw.trim().toLowerCase();
  if (HEAP_ALIASES.has(value)) return 'hashmap';
  if (value === 'rocksdb') return 'rocksdb';
  throw new WeirError('INVALID_STATE_BACKEND', `${STATE_BACKEND_KEY}: "${raw}" is not a state backend; use hashmap (state on the heap) or rocksdb`, false);
}

export const INCREMENTAL_KEY = 'state.backend.incremental';

/** `state.backend.incremental` (Flink's key; default false): checkpoints upload only key groups that changed. */
export function incrementalCheckpoints(config: ReadonlyMap<string, string>): boolean {
  const raw = config.get(INCREMENTAL_KEY);
  if (raw === undefined) return false;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new WeirError('INVALID_CONFIGURATION', `${INCREMENTAL_KEY}: "${raw}" is not true or false`, false);
}

export interface BackendPlacement {
  readonly clock: Clock;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** The job's configuration (the RocksDB backend's options); empty when absent. */
  readonly config?: ReadonlyMap<string, string>;
  /** Names the backend's working directory: operator and subtask. */
  readonly label?: string;
  /** Record what changes between snapshots (incremental checkpoints with deltas). */
  readonly trackChanges?: boolean;
}

export function createKeyedStateBackend(type: StateBackendType, placement: BackendPlacement): KeyedStateBackend {
  switch (type) {
    case 'hashmap':
      return new HeapKeyedStateBackend(placement);
    case 'rocksdb':
      return new RocksDbKeyedStateBackend({ ...placement, rocks: rocksDbOptions(placement.config ?? new Map()), label: placement.label ?? 'state' });
  }
}
