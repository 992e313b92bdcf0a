/**
 * Keyed state in RocksDB (`state.backend.type: rocksdb`): state larger than memory.
 *
 * Operators read state synchronously, so the backend keeps a bounded cache of hot keys
 * (rocks-table.ts) in front of RocksDB and the heap state classes work on it unchanged
 * (same TTL, merging and container semantics as the heap backend). Before a batch or a
 * round of timers the task calls prefetch(keys): the keys not cached are read in one
 * go (one multi-get while every state holds only void-namespace cells; otherwise one
 * range read per key, since a key's rows are contiguous); keys not used lately are evicted
 * (cached-keys.ts), those without changes first. Changes stay in the cache, written behind
 * as one write batch (write-behind-batch.ts, encoded in chunks after it is taken) once as
 * many entries changed as the cache holds keys, when too few keys without changes make room,
 * and always before a snapshot or a read that could see their rows (rocks-store.ts runs
 * operations in order). Hot entries change in many
 * batches in a row and window slices come and go: writing late writes most of them once
 * or never.
 */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  StateKind,
  ValueStateDescriptor,
} from '../../../api/state.ts';
import { WeirError } from '../../../errors/index.ts';
import type { Clock } from '../../task/clock.ts';
import { CurrentKey, checkedKeyGroup } from '../heap/current-key.ts';
import { timerQueueName } from '../heap/heap-keyed-state-backend.ts';
import { restoreTimers } from '../heap/heap-snapshot.ts';
import type { HeapState } from '../heap/heap-state.ts';
import { HeapAggregatingState, HeapListState, HeapMapState, HeapReducingState, HeapValueState } from '../heap/heap-states.ts';
import { HeapTimerQueue } from '../heap/heap-timer-queue.ts';
import type { StateTable } from '../heap/state-table.ts';
import { TtlPolicy } from '../heap/ttl.ts';
import type { KeyGroupRange, KeyValue } from '../key-group.ts';
import { keyFromIdentity, keyIdentity } from '../key-identity.ts';
import type { KeyId, KeyRef } from '../key-identity.ts';
import type { KeyedStateBackend, KeyedStateCapture, TimerDomain } from '../keyed-state-backend.ts';
import { keyGroupsIn } from '../snapshot/keyed-state-snapshot.ts';
import type { KeyedStateSnapshot, TimerEntries } from '../snapshot/keyed-state-snapshot.ts';
import { RocksCodec } from './rocks-keys.ts';
import { RocksStore } from './rocks-store.ts';
import type { WriteOp } from './rocks-store.ts';
import { RocksTable } from './rocks-table.ts';
import { RocksTimerQueue, timerRowKey, timerRowPrefix } from './rocks-timer-queue.ts';
import type { TimerHost } from './rocks-timer-queue.ts';
import { WrittenKeysFilter } from './written-keys-filter.ts';
import { CachedKeys } from './cached-keys.ts';
import { readIntoCache } from './cache-rows.ts';
import { WriteBehindBatch } from './write-behind-batch.ts';
import type { CacheRowsHost, FreshKey } from './cache-rows.ts';
import type { KeyCache } from './rocks-table.ts';
import { captureRocksSnapshot } from './rocksdb-snapshot.ts';
import { ChangeSequence } from '../snapshot/change-collector.ts';
import { TimerChanges } from '../timer-queue.ts';
import type { RocksDbOptions } from './rocksdb-options.ts';
import { rocksDbGauges } from './rocksdb-gauges.ts';

export interface RocksDbBackendOptions {
  readonly clock: Clock;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly rocks: RocksDbOptions;
  /** Names the working directory (operator and subtask). */
  readonly label: string;
  /** Record what changes between snapshots, for incremental checkpoints that upload deltas. */
  readonly trackChanges?: boolean;
}

/** Evicting a tenth more than needed spreads eviction over many prefetches. */
const EVICT_SLACK = 0.1;
/** Keys an eviction of keys without changes looks at per key it is to forget, before it gives up and writes. */
const CLEAN_EVICTION_VISITS = 8;

function asTable<S>(t: RocksTable): StateTable<S> {
  return t as unknown as StateTable<S>;
}

export class RocksDbKeyedStateBackend implements KeyedStateBackend, KeyCache, TimerHost, CacheRowsHost {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly prefetches = true;
  private opened: RocksStore | undefined;
  private readonly clock: Clock;
  private readonly options: RocksDbOptions;
  readonly codec = new RocksCodec();
  readonly written = new WrittenKeysFilter();
  private readonly current: CurrentKey;
  /** Cached keys and the prefixes of their rows. */
  readonly loaded = new CachedKeys();
  /** Every state with rows, registered or only restored so far; the index is its state id. */
  readonly tables: RocksTable[] = [];
  private readonly tablesByName = new Map<string, RocksTable>();
  readonly states = new Map<string, HeapState<unknown>>();
  readonly timerQueues = new Map<string, HeapTimerQueue | RocksTimerQueue>();
  /** Timer queue names by id, for timers in RocksDB (the id is in their rows). */
  readonly timerQueueNames: string[] = [];
  /** Timer rows waiting for the next write batch. */
  readonly timerOps: WriteOp[] = [];
  /** Restored timer rows of queues not created yet: name -> [rows, earliest time]. */
  private readonly restoredTimerRows = new Map<string, [number, number]>();
  readonly pendingTimers = new Map<string, Map<number, TimerEntries>>();
  /** Rows restored from a snapshot, written before anything is read. */
  private pendingWrites: WriteOp[] = [];
  /** Entries changed since the last write batch. */
  private dirtyEntries = 0;
  /** Whether rows of a key not in the cache changed (a namespace dropped): reads must wait for the writes. */
  private dirtyUncached = false;
  private readonly cleanupPerRecord: HeapState<unknown>[] = [];
  private closing: Promise<void> | undefined;

  /** With change tracking: the count of snapshots whose changes were taken. */
  readonly changeSequence: ChangeSequence | undefined;

  constructor(options: RocksDbBackendOptions) {
    this.changeSequence = options.trackChanges ? new ChangeSequence() : undefined;
    this.clock = options.clock;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.options = options.rocks;
    this.current = new CurrentKey(options.maxParallelism, options.keyGroupRange);
    this.label = options.label;
  }

  private readonly label: string;

  /**
   * The database, opened on first use (the operator's open(), where state is registered):
   * a directory that cannot be made then fails the task, which restarts per its strategy.
   */
  get store(): RocksStore {
    return this.open();
  }

  private open(): RocksStore {
    return (this.opened ??= RocksStore.open(this.options, this.label));
  }

  isLoaded(id: KeyId): boolean {
    return this.loaded.has(id);
  }

  dirtied(cached: boolean): void {
    this.dirtyEntries++;
    if (!cached) this.dirtyUncached = true;
  }

  undirtied(): void {
    this.dirtyEntries--;
  }

  notLoaded(id: KeyId, state: string): never {
    throw new WeirError('STATE_NOT_PREFETCHED', `state "${state}" of key ${String(keyFromIdentity(id))} was used without being prefetched; every path that touches keyed state on RocksDB must prefetch its keys first`, false);
  }

  setCurrentKey(key: KeyValue): void {
    this.current.set(key);
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

  prefetch(keys: readonly KeyValue[]): Promise<void> | undefined {
    // Most keys of a batch are cached: one lookup each; only the others are deduplicated.
    let freshIds: Set<KeyId> | undefined;
    const fresh: FreshKey[] = [];
    for (const key of keys) {
      const id = keyIdentity(key);
      if (this.loaded.use(id) || freshIds?.has(id)) continue;
      (freshIds ??= new Set()).add(id);
      fresh.push({ id, key, prefix: this.codec.keyPrefix(checkedKeyGroup(key, this.maxParallelism, this.keyGroupRange), key) });
    }
    return this.readAhead(fresh, () => new Set(keys.map(keyIdentity)));
  }

  /** Prefetch of keys whose identities are known (timers, window slices). */
  prefetchRefs(refs: readonly KeyRef[]): Promise<void> | undefined {
    let freshIds: Set<KeyId> | undefined;
    const fresh: FreshKey[] = [];
    for (const ref of refs) {
      if (this.loaded.use(ref.id) || freshIds?.has(ref.id)) continue;
      (freshIds ??= new Set()).add(ref.id);
      const group = ref.keyGroup >= 0 ? ref.keyGroup : checkedKeyGroup(ref.key, this.maxParallelism, this.keyGroupRange);
      fresh.push({ id: ref.id, key: ref.key, prefix: this.codec.keyPrefix(group, ref.key) });
    }
    return this.readAhead(fresh, () => new Set(refs.map((r) => r.id)));
  }

  /** Reads `fresh` keys into the cache; `inUse` lists the keys the caller is about to use (never evicted for them). */
  private readAhead(fresh: FreshKey[], inUse: () => ReadonlySet<KeyId>): Promise<void> | undefined {
    if (fresh.length === 0 && this.pendingWrites.length === 0) return undefined;
    // Changes stay cached (written behind) until they pile up, a read could miss rows not
    // written yet, or the cache must make room and finds too few keys without changes.
    let mustWrite = this.dirtyEntries >= this.options.cacheKeys || this.pendingWrites.length > 0 || (this.dirtyUncached && fresh.some((f) => this.writesFor(f.id)));
    const evicting = this.loaded.size + fresh.length > this.options.cacheKeys;
    let keep: ReadonlySet<KeyId> | undefined;
    if (evicting && !mustWrite) mustWrite = !this.evict((keep = inUse()), fresh.length, true);
    const wrote = mustWrite ? this.writeBehind() : undefined;
    if (evicting && mustWrite) this.evict(keep ?? inUse(), fresh.length, false);
    if (fresh.length === 0) return wrote;
    return Promise.all([wrote, readIntoCache(this, fresh)]).then(() => undefined);
  }

  /** Whether the next write batch writes rows of `key`. */
  private writesFor(key: KeyId): boolean {
    for (const t of this.tables) if (t.writesFor(key)) return true;
    return false;
  }

  /**
   * Queues the cache's changes (and restored and timer rows) as a write batch, encoded when
   * the store gets to it; the cache is clean after. Undefined when there is nothing to write.
   */
  private writeBehind(): Promise<void> | undefined {
    const ops = this.pendingWrites;
    this.pendingWrites = [];
    this.dirtyEntries = 0;
    this.dirtyUncached = false;
    for (const op of this.timerOps) ops.push(op);
    this.timerOps.length = 0;
    // A batch still encoding is done now, ahead of this one (its step runs first).
    this.lastBatch?.finish();
    const batch = new WriteBehindBatch(this, ops);
    if (batch.empty) return undefined;
    this.lastBatch = batch;
    return this.store.writeBehind(batch);
  }

  private lastBatch: WriteBehindBatch | undefined;

  prefixOf(id: KeyId): Buffer {
    const key = keyFromIdentity(id);
    return this.codec.keyPrefix(checkedKeyGroup(key, this.maxParallelism, this.keyGroupRange), key);
  }

  /**
   * Makes room for `incoming` keys by forgetting keys not in `keep`, those not used lately
   * first; with `cleanOnly`, only keys the next write batch writes nothing for, looking at a
   * bounded number of keys. Returns whether there is room now.
   */
  private evict(keep: ReadonlySet<KeyId>, incoming: number, cleanOnly: boolean): boolean {
    const cap = this.options.cacheKeys;
    const excess = this.loaded.size + incoming - cap;
    if (excess <= 0) return true;
    const count = excess + Math.floor(cap * EVICT_SLACK);
    const forget = (id: KeyId) => {
      for (const t of this.tables) t.evict(id);
    };
    const forgot = cleanOnly ? this.loaded.evict(count, keep, forget, (id) => !this.writesFor(id), CLEAN_EVICTION_VISITS * count) : this.loaded.evict(count, keep, forget);
    return forgot >= excess;
  }

  private tableFor(name: string, kind: StateKind, ttl: boolean): RocksTable {
    let t = this.tablesByName.get(name);
    if (t === undefined) {
      if (this.tables.length > 0xffff) throw new WeirError('INTERNAL', 'more than 65536 keyed states in one operator', false);
      t = new RocksTable(name, this.tables.length, kind, ttl, this);
      // Restored rows are not changes (restore does not write through the table).
      if (this.changeSequence) t.trackChanges();
      this.tables.push(t);
      this.tablesByName.set(name, t);
    }
    return t;
  }

  private getOrCreate<S extends HeapState<unknown>>(d: StateDescriptor, create: (ttl: TtlPolicy | undefined, table: RocksTable) => S): S {
    const existing = this.states.get(d.name);
    if (existing) {
      if (existing.descriptor.kind !== d.kind) {
        throw new WeirError('STATE_KIND_MISMATCH', `state "${d.name}" was registered as ${existing.descriptor.kind} state and is now requested as ${d.kind} state; use another name`, false);
      }
      return existing as S;
    }
    const restored = this.tablesByName.get(d.name);
    if (restored && restored.kind !== d.kind) {
      throw new WeirError('STATE_KIND_MISMATCH', `state "${d.name}" was restored as ${restored.kind} state and is now requested as ${d.kind} state; keep the kind of a state, or give the new one another name`, false);
    }
    if (restored && restored.ttl !== (d.ttl !== undefined)) {
      throw new WeirError(
        'STATE_RESTORE_MISMATCH',
        `state "${d.name}" was written ${restored.ttl ? 'with' : 'without'} time-to-live and is now requested ${restored.ttl ? 'without' : 'with'} it; turning TTL on or off needs a new state name`,
        false,
      );
    }
    const table = this.tableFor(d.name, d.kind, d.ttl !== undefined);
    this.open();
    const s = create(d.ttl ? new TtlPolicy(d.ttl, this.clock) : undefined, table);
    this.states.set(d.name, s);
    if (d.ttl?.cleanupIncrementalEveryRecord && d.ttl.cleanupIncrementalSize > 0) this.cleanupPerRecord.push(s);
    return s;
  }

  getValueState<T>(d: ValueStateDescriptor<T>): HeapValueState<T> {
    return this.getOrCreate(d, (ttl, t) => new HeapValueState<T>(d, this.current, ttl, this.maxParallelism, this.keyGroupRange, asTable(t)));
  }

  getListState<T>(d: ListStateDescriptor<T>): HeapListState<T> {
    return this.getOrCreate(d, (ttl, t) => new HeapListState<T>(d, this.current, ttl, this.maxParallelism, this.keyGroupRange, asTable(t)));
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): HeapMapState<K, V> {
    return this.getOrCreate(d, (ttl, t) => new HeapMapState<K, V>(d, this.current, ttl, this.maxParallelism, this.keyGroupRange, asTable(t)));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): HeapReducingState<T> {
    const desc = d as ReducingStateDescriptor<unknown>;
    return this.getOrCreate(desc, (ttl, t) => new HeapReducingState<unknown>(desc, this.current, ttl, this.maxParallelism, this.keyGroupRange, asTable(t))) as HeapReducingState<T>;
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): HeapAggregatingState<IN, ACC, OUT> {
    const desc = d as AggregatingStateDescriptor<unknown, unknown, unknown>;
    return this.getOrCreate(desc, (ttl, t) => new HeapAggregatingState<unknown, unknown, unknown>(desc, this.current, ttl, this.maxParallelism, this.keyGroupRange, asTable(t))) as HeapAggregatingState<IN, ACC, OUT>;
  }

  /** Timers in RocksDB (ROCKSDB, the default) or on the heap (HEAP), as `timer-service.factory` says. */
  timerQueue(service: string, domain: TimerDomain): HeapTimerQueue | RocksTimerQueue {
    const name = timerQueueName(service, domain);
    const existing = this.timerQueues.get(name);
    if (existing) return existing;
    if (this.options.timerService === 'ROCKSDB') {
      const q = new RocksTimerQueue(name, this.timerQueueId(name), this);
      const restored = this.restoredTimerRows.get(name);
      if (restored) for (let i = 0; i < restored[0]; i++) q.restoredRow(restored[1]);
      this.restoredTimerRows.delete(name);
      this.timerQueues.set(name, q);
      if (this.changeSequence) q.changes = new TimerChanges(this.maxParallelism);
      return q;
    }
    const q = new HeapTimerQueue();
    this.timerQueues.set(name, q);
    const restored = this.pendingTimers.get(name);
    if (restored) {
      restoreTimers(q, restored);
      this.pendingTimers.delete(name);
    }
    if (this.changeSequence) q.changes = new TimerChanges(this.maxParallelism);
    return q;
  }

  private timerSeq = 0;

  nextTimerSeq(): number {
    return this.timerSeq++;
  }

  private timerQueueId(name: string): number {
    const id = this.timerQueueNames.indexOf(name);
    if (id >= 0) return id;
    this.timerQueueNames.push(name);
    return this.timerQueueNames.length - 1;
  }

  /** Queues the pending writes (state and timers) as a write batch; undefined when there are none. */
  flushWrites(): Promise<void> | undefined {
    return this.writeBehind();
  }

  timerOpsQueued(): void {
    // Written behind, in the store's order; a failure stays in the store and fails the next prefetch.
    this.flushWrites()?.then(undefined, (err: unknown) => {
      this.writeBehindFailure ??= err;
    });
  }

  /** The first failed write-behind (the store fails every later operation with it too). */
  writeBehindFailure: unknown;

  /** Whether timers may be in RocksDB (rows written, queued or restored). */
  hasTimerRows(): boolean {
    if (this.timerOps.length > 0 || this.restoredTimerRows.size > 0) return true;
    for (const q of this.timerQueues.values()) if (q instanceof RocksTimerQueue && q.size > 0) return true;
    return false;
  }

  snapshot(): KeyedStateSnapshot {
    throw new WeirError('INTERNAL', 'the RocksDB backend snapshots asynchronously only: use captureSnapshot', false);
  }

  captureSnapshot(range: KeyGroupRange = this.keyGroupRange): KeyedStateCapture {
    return captureRocksSnapshot(this, this.codec, range, this.clock.now(), this.writeBehind());
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    if (this.states.size > 0 || this.timerQueues.size > 0) throw new WeirError('INTERNAL', 'keyed state must be restored before any state or timer is registered', false);
    const codec = this.codec;
    for (const [kg, group] of keyGroupsIn(snapshots, this.keyGroupRange, this.maxParallelism)) {
      for (const s of group.states) {
        const t = this.tableFor(s.name, s.kind, s.ttl);
        for (const [key, ns, value] of s.entries) {
          const prefix = codec.keyPrefix(kg, key);
          this.written.add(prefix);
          const cell = codec.cellKey(prefix, t.stateId, ns);
          if (t.kind === 'map') for (const [mk, v] of value as Map<unknown, unknown>) this.pendingWrites.push(['put', codec.mapRowKey(cell, mk), codec.value(v)]);
          else this.pendingWrites.push(['put', cell, codec.value(value)]);
          t.restored(ns, keyIdentity(key));
        }
      }
      for (const t of group.timers) {
        const name = timerQueueName(t.service, t.domain);
        if (this.options.timerService === 'ROCKSDB') {
          const id = this.timerQueueId(name);
          const counted = this.restoredTimerRows.get(name) ?? [0, Infinity];
          for (const [key, ns, time] of t.timers) {
            this.pendingWrites.push(['put', timerRowKey(timerRowPrefix(codec, id, time, kg, key, ns), this.nextTimerSeq()), Buffer.alloc(0)]);
            counted[0]++;
            counted[1] = Math.min(counted[1], time);
          }
          this.restoredTimerRows.set(name, counted);
          continue;
        }
        let byGroup = this.pendingTimers.get(name);
        if (!byGroup) this.pendingTimers.set(name, (byGroup = new Map()));
        byGroup.set(kg, t);
      }
    }
  }

  entryCount(): number {
    let n = 0;
    for (const t of this.tables) n += t.size();
    return n;
  }

  /** The enabled `state.backend.rocksdb.metrics.*` as gauges with Flink's names (rocksdb-gauges.ts). */
  gauges(): Map<string, () => number> {
    return rocksDbGauges(this.options.metrics, {
      property: (name) => (this.opened !== undefined && this.closing === undefined ? this.opened.property(name) : undefined),
      failed: (err) => {
        this.metricFailure ??= err;
      },
    });
  }

  /** The first failed metric read (the task fails with the store's failure at its next prefetch). */
  metricFailure: unknown;

  dispose(): void {
    this.closing ??= this.opened?.close() ?? Promise.resolve();
    this.states.clear();
    this.timerQueues.clear();
    this.loaded.clear();
  }

  /** Disposes, then waits until the database is closed and its directory removed. */
  close(): Promise<void> {
    this.dispose();
    return this.closing!;
  }
}
