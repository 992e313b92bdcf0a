/**
 * One state's entries as the heap state classes see them, over RocksDB: the inner maps
 * hold the entries of the keys prefetched into the cache (read and written synchronously,
 * with the heap states' own TTL, merge and container logic), every change marks its entry
 * dirty for the next write batch, and eviction forgets clean keys.
 *
 * What the cache does not hold is known in summary: how many entries the state has, and,
 * for namespaces other than the void one (windows), which keys have an entry in each. That
 * directory answers namespaces() and keysIn() and lets clearNamespace() delete the entries
 * of keys that are not cached; window operators keep the same per-slice key lists anyway.
 */
import type { StateKind } from '../../../api/state.ts';
import { WeirError } from '../../../errors/index.ts';
import { StateTable } from '../heap/state-table.ts';
import type { KeyId, KeyRef } from '../key-identity.ts';
import { VOID_NAMESPACE } from '../keyed-state-backend.ts';
import { NamespaceMap } from '../namespace-map.ts';

/** Changed entries: namespace -> key -> whether the entry is new (has no row and none is on its way). */
export type DirtyEntries = Map<string, Map<KeyId, boolean>>;

const newDirtyEntries = () => new NamespaceMap<Map<KeyId, boolean>>(() => new Map());
/** Single changed entries of map states: namespace -> key -> map keys. */
export type DirtyMapKeys = Map<string, Map<KeyId, Set<unknown>>>;

/** A write batch that encodes a table's changes after the barrier or trigger that took them. */
export interface FlushingTable {
  /** Encodes (namespace, key) as it is now, if the batch still holds it unencoded; called before it changes. */
  keep(table: RocksTable, namespace: string, key: KeyId): void;
}

/** What a table needs of the backend's cache of keys. */
export interface KeyCache {
  isLoaded(id: KeyId): boolean;
  /** Throws: state of a key that was not prefetched was touched (a missing prefetch is a bug, not a slow path). */
  notLoaded(id: KeyId, state: string): never;
  /** An entry became dirty; `cached` is false for a key whose rows change without it being in the cache. */
  dirtied(cached: boolean): void;
  /** A dirty entry is clean again: it was new and is gone again. */
  undirtied(): void;
}

export class RocksTable extends StateTable<unknown> {
  /**
   * Entries changed since the last write batch: namespace -> key -> whether the entry is
   * new since then (a map state's whole map). A new entry has no row yet, so removing it
   * again before the batch writes nothing: windows' short-lived slices mostly live and go
   * between two batches.
   */
  private dirty = newDirtyEntries();
  /** Map state: single map entries changed since the last write batch, namespace -> key -> map keys. */
  private dirtyMapKeys: DirtyMapKeys = new Map();
  /** The write batch encoding this table's earlier changes, while it runs: a change to one of them has it encoded first. */
  flushing: FlushingTable | undefined;
  /** Namespace (not void) -> keys with an entry, whether cached or not. */
  readonly directory = new NamespaceMap<Set<KeyId>>(() => new Set());
  private count = 0;
  private voidCount = 0;
  /** Whether any entry was ever in a namespace other than the void one: prefetches must then read whole keys. */
  namespaced = false;

  constructor(
    readonly name: string,
    readonly stateId: number,
    readonly kind: StateKind,
    readonly ttl: boolean,
    private readonly cache: KeyCache,
  ) {
    super();
  }

  override get(namespace: string, key: KeyId): unknown {
    const v = super.get(namespace, key);
    if (v === undefined && !this.cache.isLoaded(key)) this.cache.notLoaded(key, this.name);
    return v;
  }

  override set(namespace: string, key: KeyId, entry: unknown): void {
    // A loaded key's rows are all cached: an entry missing here has no row, unless a removal
    // of it is waiting for the batch (then it is not new). A cached entry's key is loaded.
    const old = super.get(namespace, key);
    const fresh = old === undefined;
    if (fresh) {
      if (!this.cache.isLoaded(key)) this.cache.notLoaded(key, this.name);
      this.added(namespace, key);
    }
    this.flushing?.keep(this, namespace, key);
    super.set(namespace, key, entry);
    // The same primitive written again changes no row (an object may have changed in place).
    if (typeof entry === 'object' || !Object.is(old, entry)) this.markDirty(namespace, key, true, fresh);
  }

  override delete(namespace: string, key: KeyId): void {
    if (super.get(namespace, key) === undefined) return;
    this.removed(namespace, key);
    this.flushing?.keep(this, namespace, key);
    super.delete(namespace, key);
    if (!this.unmarkNew(namespace, key)) this.markDirty(namespace, key);
  }

  override willChange(namespace: string, key: KeyId): void {
    this.flushing?.keep(this, namespace, key);
    this.markDirty(namespace, key, true, super.get(namespace, key) === undefined);
  }

  override willChangeMapKey(namespace: string, key: KeyId, mapKey: unknown): void {
    this.noteMapKeyChange(namespace, key, mapKey);
    this.flushing?.keep(this, namespace, key);
    if (this.dirty.get(namespace)?.has(key)) return; // the whole map is written anyway
    let byKey = this.dirtyMapKeys.get(namespace);
    if (byKey === undefined) this.dirtyMapKeys.set(namespace, (byKey = new Map()));
    let keys = byKey.get(key);
    if (keys === undefined) byKey.set(key, (keys = new Set()));
    const before = keys.size;
    keys.add(mapKey);
    if (keys.size !== before) this.cache.dirtied(true);
  }

  override willRead(keys: readonly KeyRef[]): void {
    for (const k of keys) if (!this.cache.isLoaded(k.id)) this.cache.notLoaded(k.id, this.name);
  }

  /** Every key of the namespace loses its entry, cached or not. */
  override dropNamespace(namespace: string): void {
    if (namespace === VOID_NAMESPACE) throw new WeirError('INTERNAL', `state "${this.name}": clearing the void namespace for every key is not supported on RocksDB`, false);
    const keys = this.directory.get(namespace);
    if (keys === undefined) return;
    for (const key of keys) {
      this.flushing?.keep(this, namespace, key);
      if (!this.unmarkNew(namespace, key)) this.markDirty(namespace, key, this.cache.isLoaded(key));
    }
    this.count -= keys.size;
    this.directory.delete(namespace);
    this.dropCached(namespace);
  }

  override namespaceNames(): string[] {
    const out = [...this.directory.keys()];
    if (this.voidCount > 0) out.unshift(VOID_NAMESPACE);
    return out;
  }

  override keyIdsIn(namespace: string): Iterable<KeyId> {
    if (namespace === VOID_NAMESPACE) throw new WeirError('INTERNAL', `state "${this.name}": listing the keys of the void namespace is not supported on RocksDB`, false);
    return this.directory.get(namespace) ?? [];
  }

  override size(): number {
    return this.count;
  }

  /** An entry restored from a snapshot, to be written to RocksDB by the backend. */
  restored(namespace: string, key: KeyId): void {
    this.added(namespace, key);
  }

  /** Forgets a clean key's cached entries (a write batch still encoding one of them encodes it first). */
  evict(key: KeyId): void {
    for (const [ns, m] of this.namespaces) {
      if (!m.has(key)) continue;
      this.flushing?.keep(this, ns, key);
      m.delete(key);
      if (m.size === 0) this.dropCached(ns);
    }
  }

  /** The cached entry as it is now (for the write batch), without the loaded check. */
  cached(namespace: string, key: KeyId): unknown {
    return super.get(namespace, key);
  }

  /** Whether the next write batch writes a row of `key` (an entry new and gone again is not marked). */
  writesFor(key: KeyId): boolean {
    for (const m of this.dirty.values()) if (m.has(key)) return true;
    for (const byKey of this.dirtyMapKeys.values()) if (byKey.has(key)) return true;
    return false;
  }

  /** Whether changes wait for a write batch. */
  get changed(): boolean {
    return this.dirty.size > 0 || this.dirtyMapKeys.size > 0;
  }

  /** The changes since the last call, for a write batch; the table records anew (a snapshot's changes are takeChanges()). */
  takeWrites(): [DirtyEntries, DirtyMapKeys] {
    const taken: [DirtyEntries, DirtyMapKeys] = [this.dirty, this.dirtyMapKeys];
    this.dirty = newDirtyEntries();
    this.dirtyMapKeys = new Map();
    return taken;
  }

  /** `cached` is false only where rows change for keys that may not be cached (a dropped namespace); `fresh` for an entry without a row. */
  private markDirty(namespace: string, key: KeyId, cached = true, fresh = false): void {
    const m = this.dirty.of(namespace);
    if (m.has(key)) return;
    m.set(key, fresh);
    this.cache.dirtied(cached);
    super.noteChange(namespace, key);
  }

  /**
   * Forgets the mark of an entry removed before the batch that would have written it: it has
   * no row, so nothing is to be written, and its key counts as clean for eviction again.
   */
  private unmarkNew(namespace: string, key: KeyId): boolean {
    const m = this.dirty.get(namespace);
    if (m?.get(key) !== true) return false;
    m.delete(key);
    if (m.size === 0) this.dirty.delete(namespace);
    this.cache.undirtied();
    return true;
  }

  /**
   * Every change marks its entry dirty, and markDirty records the change for the next
   * snapshot when the entry was not dirty yet; a dirty entry's change is recorded already
   * (a snapshot takes both), which saves a set insertion per write.
   */
  protected override noteChange(): void {}

  private added(namespace: string, key: KeyId): void {
    this.count++;
    if (namespace === VOID_NAMESPACE) {
      this.voidCount++;
      return;
    }
    this.namespaced = true;
    this.directory.of(namespace).add(key);
  }

  private removed(namespace: string, key: KeyId): void {
    this.count--;
    if (namespace === VOID_NAMESPACE) {
      this.voidCount--;
      return;
    }
    const s = this.directory.get(namespace);
    if (s !== undefined && s.delete(key) && s.size === 0) this.directory.delete(namespace);
  }
}
