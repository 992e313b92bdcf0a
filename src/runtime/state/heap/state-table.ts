/**
 * namespace -> key -> entry, each namespace one insertion-ordered map. The void namespace
 * is one inner map, so plain keyed state costs one key lookup; and a window slice's
 * entries stay in the order its keys arrived, so reading them back in that order walks the
 * map instead of looking each key up (heap-states.ts). Key groups are not a level of the
 * table: they are computed from the keys when a snapshot groups the entries by key group,
 * which costs once per checkpoint what a per-access key group would cost per record.
 */
import type { KeyId, KeyRef } from '../key-identity.ts';
import { EntryChanges } from './entry-changes.ts';
import { TableSnapshot } from './table-snapshot.ts';
import type { EntryCopier } from './table-snapshot.ts';

export class StateTable<S> {
  /** Read it freely; change it only through the methods, which keep the cache below right. */
  readonly namespaces = new Map<string, Map<KeyId, S>>();
  /**
   * The namespace of the last access and its inner map (undefined: none yet). State is
   * read and written in one namespace many times in a row (a window for each of its
   * records, the void namespace always), so the outer lookup mostly becomes a compare.
   */
  protected lastNamespace: string | undefined;
  protected lastMap: Map<KeyId, S> | undefined;
  /** The snapshot being read, which must see every change before it happens. */
  private snapshot: TableSnapshot<S> | undefined;
  /** With change tracking (incremental checkpoints with deltas): the entries written or removed since the last snapshot. */
  private changes: EntryChanges | undefined;

  private inner(namespace: string): Map<KeyId, S> | undefined {
    if (namespace === this.lastNamespace) return this.lastMap;
    const m = this.namespaces.get(namespace);
    this.lastNamespace = namespace;
    this.lastMap = m;
    return m;
  }

  /** One namespace's map for reading (undefined: the namespace holds nothing). */
  mapOf(namespace: string): ReadonlyMap<KeyId, S> | undefined {
    return this.inner(namespace);
  }

  get(namespace: string, key: KeyId): S | undefined {
    return this.inner(namespace)?.get(key);
  }

  set(namespace: string, key: KeyId, entry: S): void {
    this.snapshot?.keep(namespace, key);
    const m = this.namespace(namespace);
    // The same primitive written again is no change; an object may have been changed in place, so it is one.
    if (this.changes !== undefined && (typeof entry === 'object' || !Object.is(m.get(key), entry))) this.noteChange(namespace, key);
    m.set(key, entry);
  }

  /** An entry that is not a change: read from disk, or restored (the checkpoint it came from holds it). */
  load(namespace: string, key: KeyId, entry: S): void {
    this.snapshot?.keep(namespace, key);
    this.namespace(namespace).set(key, entry);
  }

  /** Starts recording changes (before any state is written, after a restore). */
  trackChanges(): void {
    this.changes ??= new EntryChanges();
  }

  /** The changes recorded since the last call (undefined: not tracking); recording starts over. */
  takeChanges(): EntryChanges | undefined {
    const c = this.changes;
    if (c === undefined) return undefined;
    this.changes = new EntryChanges();
    return c;
  }

  /** (namespace, key) was written or removed since the last snapshot. */
  protected noteChange(namespace: string, key: KeyId): void {
    this.changes?.entry(namespace, key);
  }

  /** One map key of (namespace, key) was written or removed since the last snapshot. */
  protected noteMapKeyChange(namespace: string, key: KeyId, mapKey: unknown): void {
    this.changes?.mapKey(namespace, key, mapKey);
  }

  /** Whether a snapshot is being read (changes are then kept for it first). */
  get snapshotting(): boolean {
    return this.snapshot !== undefined;
  }

  /** An entry's container or accumulator is about to be changed in place (not through set). */
  willChange(namespace: string, key: KeyId): void {
    this.snapshot?.keep(namespace, key);
    if (this.changes !== undefined) this.noteChange(namespace, key);
  }

  /** An entry is read while a snapshot is: whoever gets it may change it in place, so the snapshot keeps it first (not a change). */
  keepForSnapshot(namespace: string, key: KeyId): void {
    this.snapshot?.keep(namespace, key);
  }

  /** One entry of a map-state container is about to change: the snapshot keeps the whole map, a delta takes that entry (a disk backend writes just that row). */
  willChangeMapKey(namespace: string, key: KeyId, mapKey: unknown): void {
    this.snapshot?.keep(namespace, key);
    if (this.changes !== undefined) this.noteMapKeyChange(namespace, key, mapKey);
  }

  delete(namespace: string, key: KeyId): void {
    const m = this.inner(namespace);
    if (!m) return;
    this.snapshot?.keep(namespace, key);
    if (m.delete(key) && this.changes !== undefined) this.noteChange(namespace, key);
    if (m.size === 0) this.dropCached(namespace);
  }

  /**
   * The inner map of one namespace, created when missing. An operator that updates one
   * namespace for many keys in a row (window slices) keeps it to skip the outer lookup;
   * it must then not use delete() on that namespace, which drops an emptied inner map.
   */
  private namespace(namespace: string): Map<KeyId, S> {
    let m = this.inner(namespace);
    if (!m) {
      m = new Map();
      this.namespaces.set(namespace, m);
      this.lastMap = m;
      this.snapshot?.namespaceCreated(namespace);
    }
    return m;
  }

  /** Removes a namespace for every key at once. */
  dropNamespace(namespace: string): void {
    if (this.changes !== undefined) for (const key of this.inner(namespace)?.keys() ?? []) this.noteChange(namespace, key);
    this.dropCached(namespace);
  }

  /** Forgets a namespace's inner map (here the whole namespace; a disk backend's cache keeps only part of it). */
  protected dropCached(namespace: string): void {
    this.snapshot?.freeze(namespace);
    this.namespaces.delete(namespace);
    if (namespace === this.lastNamespace) this.lastMap = undefined;
  }

  /** The namespaces holding an entry. */
  namespaceNames(): string[] {
    return [...this.namespaces.keys()];
  }

  /** The keys with an entry in `namespace`. */
  keyIdsIn(namespace: string): Iterable<KeyId> {
    return this.inner(namespace)?.keys() ?? [];
  }

  /** Called before entries of other keys than the current one are read (a disk backend checks they were prefetched). */
  willRead(_keys: readonly KeyRef[]): void {}

  size(): number {
    let n = 0;
    for (const m of this.namespaces.values()) n += m.size;
    return n;
  }

  /**
   * The table as it is now, to be read later while the table changes (copy-on-write):
   * `copier` copies an entry a state may change in place. A snapshot still being read is
   * read to its end first.
   */
  takeSnapshot(copier: EntryCopier<S>): TableSnapshot<S> {
    this.snapshot?.detach();
    const snapshot = new TableSnapshot<S>(this.namespaces, copier);
    this.snapshot = snapshot;
    return snapshot;
  }

  /** The snapshot has been read: changes need not be kept any more. */
  releaseSnapshot(snapshot: TableSnapshot<S>): void {
    if (this.snapshot === snapshot) this.snapshot = undefined;
  }

  /** Every (namespace, key, entry); safe against deletion while iterating. */
  *entries(): Generator<[string, KeyId, S]> {
    for (const [ns, m] of this.namespaces) for (const [k, s] of m) yield [ns, k, s];
  }
}
