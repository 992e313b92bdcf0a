/** Keyed state on the JavaScript heap (`state.backend.type: hashmap`): fastest, bounded by memory. */
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
import type { KeyedStateBackend, KeyedStateCapture, TimerDomain } from '../keyed-state-backend.ts';
import type { KeyGroupRange, KeyValue } from '../key-group.ts';
import type { KeyRef } from '../key-identity.ts';
import { ChangeSequence } from '../snapshot/change-collector.ts';
import { keyGroupsIn } from '../snapshot/keyed-state-snapshot.ts';
import type { KeyedStateSnapshot, StateEntries, TimerEntries } from '../snapshot/keyed-state-snapshot.ts';
import { TimerChanges } from '../timer-queue.ts';
import { CurrentKey } from './current-key.ts';
import type { HeapState } from './heap-state.ts';
import { HeapAggregatingState, HeapListState, HeapMapState, HeapReducingState, HeapValueState } from './heap-states.ts';
import { HeapTimerQueue } from './heap-timer-queue.ts';
import { captureKeyGroups, restoreEntries, restoreTimers, snapshotKeyGroups } from './heap-snapshot.ts';
import type { EncodedKeyGroups } from './heap-snapshot.ts';
import { TtlPolicy } from './ttl.ts';

export interface HeapBackendOptions {
  readonly clock: Clock;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Record what changes between snapshots, for incremental checkpoints that upload deltas. */
  readonly trackChanges?: boolean;
}

export function timerQueueName(service: string, domain: TimerDomain): string {
  return `${service}/${domain}`;
}

export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  private readonly clock: Clock;
  private readonly current: CurrentKey;
  readonly states = new Map<string, HeapState<unknown>>();
  readonly timerQueues = new Map<string, HeapTimerQueue>();
  /** Restored state of states not registered yet: name -> key group -> entries; kept in snapshots until registered. */
  readonly pendingStates = new Map<string, Map<number, StateEntries>>();
  /** Restored timers of timer services not created yet: queue name -> key group -> timers. */
  readonly pendingTimers = new Map<string, Map<number, TimerEntries>>();
  /** States whose TTL cleans up incrementally on every record (Flink's runCleanupForEveryRecord). */
  private readonly cleanupPerRecord: HeapState<unknown>[] = [];
  /** With change tracking: the count of snapshots whose changes were taken. */
  readonly changeSequence: ChangeSequence | undefined;

  constructor(options: HeapBackendOptions) {
    this.changeSequence = options.trackChanges ? new ChangeSequence() : undefined;
    this.clock = options.clock;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.current = new CurrentKey(options.maxParallelism, options.keyGroupRange);
  }

  setCurrentKey(key: KeyValue): void {
    this.current.set(key);
    // As Flink, which runs this cleanup whenever a key is selected (for each record and timer).
    if (this.cleanupPerRecord.length > 0) for (const s of this.cleanupPerRecord) s.cleanupIncrementally();
  }

  setCurrentKeyRef(ref: KeyRef): void {
    this.current.setRef(ref);
    if (this.cleanupPerRecord.length > 0) for (const s of this.cleanupPerRecord) s.cleanupIncrementally();
  }

  getCurrentKey(): KeyValue {
    return this.current.key;
  }

  currentKeyRef(): KeyRef {
    return this.current.ref();
  }

  currentKeyView(): KeyRef {
    return this.current;
  }

  readonly prefetches = false;

  prefetch(): undefined {
    return undefined;
  }

  prefetchRefs(): undefined {
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
    const restored = this.pendingStates.get(d.name);
    if (restored) {
      restoreEntries(s, restored);
      this.pendingStates.delete(d.name);
    }
    if (this.changeSequence) s.table.trackChanges();
    this.states.set(d.name, s);
    if (d.ttl?.cleanupIncrementalEveryRecord && d.ttl.cleanupIncrementalSize > 0) this.cleanupPerRecord.push(s);
    return s;
  }

  getValueState<T>(d: ValueStateDescriptor<T>): HeapValueState<T> {
    return this.getOrCreate(d, (ttl) => new HeapValueState<T>(d, this.current, ttl, this.maxParallelism, this.keyGroupRange));
  }

  getListState<T>(d: ListStateDescriptor<T>): HeapListState<T> {
    return this.getOrCreate(d, (ttl) => new HeapListState<T>(d, this.current, ttl, this.maxParallelism, this.keyGroupRange));
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): HeapMapState<K, V> {
    return this.getOrCreate(d, (ttl) => new HeapMapState<K, V>(d, this.current, ttl, this.maxParallelism, this.keyGroupRange));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): HeapReducingState<T> {
    const desc = d as ReducingStateDescriptor<unknown>;
    return this.getOrCreate(desc, (ttl) => new HeapReducingState<unknown>(desc, this.current, ttl, this.maxParallelism, this.keyGroupRange)) as HeapReducingState<T>;
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): HeapAggregatingState<IN, ACC, OUT> {
    const desc = d as AggregatingStateDescriptor<unknown, unknown, unknown>;
    return this.getOrCreate(desc, (ttl) => new HeapAggregatingState<unknown, unknown, unknown>(desc, this.current, ttl, this.maxParallelism, this.keyGroupRange)) as HeapAggregatingState<IN, ACC, OUT>;
  }

  timerQueue(service: string, domain: TimerDomain): HeapTimerQueue {
    const name = timerQueueName(service, domain);
    let q = this.timerQueues.get(name);
    if (!q) {
      q = new HeapTimerQueue();
      this.timerQueues.set(name, q);
      const restored = this.pendingTimers.get(name);
      if (restored) {
        restoreTimers(q, restored);
        this.pendingTimers.delete(name);
      }
      if (this.changeSequence) q.changes = new TimerChanges(this.maxParallelism);
    }
    return q;
  }

  snapshot(range: KeyGroupRange = this.keyGroupRange): KeyedStateSnapshot {
    this.purgeForSnapshot();
    const seq = this.changeSequence && range.start <= this.keyGroupRange.start && range.end >= this.keyGroupRange.end ? this.changeSequence.seq + 1 : undefined;
    return this.withChanges(snapshotKeyGroups(this, range), seq);
  }

  captureSnapshot(range: KeyGroupRange = this.keyGroupRange): KeyedStateCapture {
    this.purgeForSnapshot();
    const captured = captureKeyGroups(this, range);
    const maxParallelism = this.maxParallelism;
    const steps = captured.steps();
    const withChanges = this.withChanges.bind(this);
    return {
      maxParallelism,
      empty: captured.empty,
      async complete() {
        for (;;) {
          const r = steps.next();
          if (r.done) return withChanges(r.value, captured.changesSeq);
          // Between chunks the task's other work runs: encoding a large state does not stop it.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      },
      discard() {
        steps.return({ keyGroups: new Map(), changes: undefined });
        captured.release();
      },
    };
  }

  private withChanges(encoded: EncodedKeyGroups, seq: number | undefined): KeyedStateSnapshot {
    const { keyGroups, changes } = encoded;
    if (seq === undefined || changes === undefined || !this.changeSequence) return { maxParallelism: this.maxParallelism, keyGroups };
    return { maxParallelism: this.maxParallelism, keyGroups, changes: { backend: this.changeSequence.backend, seq, keyGroups: changes } };
  }

  /** Full-snapshot TTL cleanup: expired entries do not reach the snapshot. */
  private purgeForSnapshot(): void {
    for (const s of this.states.values()) if (s.descriptor.ttl?.cleanupFullSnapshot) s.purgeExpired();
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    if (this.states.size > 0 || this.timerQueues.size > 0) throw new WeirError('INTERNAL', 'keyed state must be restored before any state or timer is registered', false);
    const add = <E>(pending: Map<string, Map<number, E>>, name: string, kg: number, e: E) => {
      let byGroup = pending.get(name);
      if (!byGroup) pending.set(name, (byGroup = new Map()));
      byGroup.set(kg, e);
    };
    for (const [kg, group] of keyGroupsIn(snapshots, this.keyGroupRange, this.maxParallelism)) {
      for (const s of group.states) add(this.pendingStates, s.name, kg, s);
      for (const t of group.timers) add(this.pendingTimers, timerQueueName(t.service, t.domain), kg, t);
    }
  }

  entryCount(): number {
    let n = 0;
    for (const s of this.states.values()) n += s.table.size();
    return n;
  }

  dispose(): void {
    this.states.clear();
    this.timerQueues.clear();
    this.pendingStates.clear();
    this.pendingTimers.clear();
    this.cleanupPerRecord.length = 0;
  }

  close(): Promise<void> {
    this.dispose();
    return Promise.resolve();
  }
}
