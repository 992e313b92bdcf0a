/** Keyed state on the JavaScript heap: fastest, bounded by memory. */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../../api/state.ts';
import { WeirError } from '../../../errors/index.ts';
import type { Clock } from '../../task/clock.ts';
import { keyIdentity } from '../keyed-state-backend.ts';
import type { KeyedStateBackend } from '../keyed-state-backend.ts';
import type { KeyValue } from '../key-group.ts';
import type { CurrentKey, HeapState } from './heap-state.ts';
import { HeapAggregatingState, HeapListState, HeapMapState, HeapReducingState, HeapValueState } from './heap-states.ts';
import { TtlPolicy } from './ttl.ts';

export class HeapKeyedStateBackend implements KeyedStateBackend {
  private readonly current: CurrentKey = { id: '' };
  private currentKey: KeyValue = '';
  private readonly states = new Map<string, HeapState<unknown>>();
  /** States whose TTL cleans up incrementally on every record (Flink's runCleanupForEveryRecord). */
  private readonly cleanupPerRecord: HeapState<unknown>[] = [];

  constructor(private readonly clock: Clock) {}

  setCurrentKey(key: KeyValue): void {
    this.currentKey = key;
    this.current.id = keyIdentity(key);
    // As Flink, which runs this cleanup whenever a key is selected (for each record and timer).
    for (const s of this.cleanupPerRecord) s.cleanupIncrementally();
  }

  getCurrentKey(): KeyValue {
    return this.currentKey;
  }

  readonly prefetches = false;

  prefetch(): undefined {
    return undefined;
  }

  private getOrCreate<S extends HeapState<unknown>>(d: StateDescriptor, create: (ttl: TtlPolicy | undefined) => S): S {
    const existing = this.states.get(d.name);
    if (existing) {
      if (existing.descriptor.kind !== d.kind) {
        throw new WeirError('STATE_KIND_MISMATCH', `state "${d.name}" was registered as ${existing.descriptor.kind} state and is now requested as ${d.kind} state; use another name`, false);
      }
      return existing as S;
    }
    const s = create(d.ttl ? new TtlPolicy(d.ttl, this.clock) : undefined);
    this.states.set(d.name, s);
    if (d.ttl?.cleanupIncrementalEveryRecord && d.ttl.cleanupIncrementalSize > 0) this.cleanupPerRecord.push(s);
    return s;
  }

  getValueState<T>(d: ValueStateDescriptor<T>): HeapValueState<T> {
    return this.getOrCreate(d, (ttl) => new HeapValueState<T>(d, this.current, ttl));
  }

  getListState<T>(d: ListStateDescriptor<T>): HeapListState<T> {
    return this.getOrCreate(d, (ttl) => new HeapListState<T>(d, this.current, ttl));
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): HeapMapState<K, V> {
    return this.getOrCreate(d, (ttl) => new HeapMapState<K, V>(d, this.current, ttl));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): HeapReducingState<T> {
    return this.getOrCreate(d as ReducingStateDescriptor<unknown>, (ttl) => new HeapReducingState<unknown>(d as ReducingStateDescriptor<unknown>, this.current, ttl)) as HeapReducingState<T>;
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): HeapAggregatingState<IN, ACC, OUT> {
    const desc = d as AggregatingStateDescriptor<unknown, unknown, unknown>;
    return this.getOrCreate(desc, (ttl) => new HeapAggregatingState<unknown, unknown, unknown>(desc, this.current, ttl)) as HeapAggregatingState<IN, ACC, OUT>;
  }

  entryCount(): number {
    let n = 0;
    for (const s of this.states.values()) n += s.table.size();
    return n;
  }

  /** Full-snapshot TTL cleanup; the checkpoint issue calls it when snapshotting. */
  purgeExpired(): void {
    for (const s of this.states.values()) if (s.descriptor.ttl?.cleanupFullSnapshot) s.purgeExpired();
  }

  dispose(): void {
    this.states.clear();
    this.cleanupPerRecord.length = 0;
  }
}
