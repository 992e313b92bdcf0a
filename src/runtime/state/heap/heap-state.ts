/** Shared base of heap states: a table, the current namespace, and TTL housekeeping. */
import type { StateDescriptor } from '../../../api/state.ts';
import { WeirError } from '../../../errors/index.ts';
import { VOID_NAMESPACE } from '../keyed-state-backend.ts';
import type { KeyGroupRange } from '../key-group.ts';
import { keyFromIdentity } from '../key-identity.ts';
import type { KeyRef } from '../key-identity.ts';
import { checkedKeyGroup } from './current-key.ts';
import type { CurrentKey } from './current-key.ts';
import { StateTable } from './state-table.ts';
import type { Stamped, TtlPolicy } from './ttl.ts';

export abstract class HeapState<S> {
  protected namespace = VOID_NAMESPACE;

  constructor(
    readonly descriptor: StateDescriptor,
    protected readonly key: CurrentKey,
    protected readonly ttl: TtlPolicy | undefined,
    private readonly maxParallelism: number,
    private readonly range: KeyGroupRange,
    /** Where entries live: the heap table, or a disk backend's cache over its store (rocksdb/). */
    readonly table: StateTable<S> = new StateTable<S>(),
  ) {}

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  clear(): void {
    this.table.delete(this.namespace, this.key.id);
  }

  namespaces(): string[] {
    return this.table.namespaceNames();
  }

  keysIn(namespace: string): KeyRef[] {
    const out: KeyRef[] = [];
    for (const id of this.table.keyIdsIn(namespace)) {
      const key = keyFromIdentity(id);
      out.push({ key, id, keyGroup: checkedKeyGroup(key, this.maxParallelism, this.range) });
    }
    return out;
  }

  clearNamespace(namespace: string): void {
    this.table.dropNamespace(namespace);
  }

  mergeNamespaces(_target: string, _sources: readonly string[]): void {
    throw new WeirError('STATE_NOT_MERGEABLE', `state "${this.descriptor.name}" (${this.descriptor.kind}) cannot be merged; session windows need list, reducing or aggregating state`, false);
  }

  /**
   * The current key's entry. While a snapshot is read, an entry read may be changed in place
   * by whoever gets it (as Flink's copy-on-write tables assume), so the view keeps it first.
   */
  protected get entry(): S | undefined {
    if (this.table.snapshotting) this.table.keepForSnapshot(this.namespace, this.key.id);
    return this.table.get(this.namespace, this.key.id);
  }

  protected set entry(s: S | undefined) {
    if (s === undefined) this.table.delete(this.namespace, this.key.id);
    else this.table.set(this.namespace, this.key.id, s);
  }

  /**
   * The entries of other keys in the current namespace: out[i] is keys[i]'s. Keys asked
   * for in the order they were first written (a window slice's) are read by walking the
   * map, which stays in cache; the rest are looked up.
   */
  protected entriesOf(keys: readonly KeyRef[], out: (S | undefined)[]): void {
    this.table.willRead(keys);
    const m = this.table.mapOf(this.namespace);
    const n = keys.length;
    out.length = n;
    let inOrder = m !== undefined && m.size === n;
    if (inOrder) {
      let i = 0;
      m!.forEach((s, id) => {
        if (inOrder && keys[i]!.id === id) out[i++] = s;
        else inOrder = false;
      });
    }
    if (!inOrder) for (let i = 0; i < n; i++) out[i] = m?.get(keys[i]!.id);
  }

  /** The current key's entry is about to be changed in place (a container or an accumulator). */
  protected willChange(namespace = this.namespace): void {
    this.table.willChange(namespace, this.key.id);
  }

  /** The current key's entry in another namespace. */
  protected entryIn(namespace: string): S | undefined {
    if (this.table.snapshotting) this.table.keepForSnapshot(namespace, this.key.id);
    return this.table.get(namespace, this.key.id);
  }

  protected setEntryIn(namespace: string, s: S | undefined): void {
    if (s === undefined) this.table.delete(namespace, this.key.id);
    else this.table.set(namespace, this.key.id, s);
  }

  /** Incremental TTL cleanup, run on every access of a state with TTL. */
  protected touched(): void {
    if (this.ttl) this.ttl.cleanupIncrementally(this.table, (e, now) => this.isEntryExpired(e, now));
  }

  /** One step of incremental TTL cleanup outside a state access (per processed record). */
  cleanupIncrementally(): void {
    this.touched();
  }

  /** Drops expired entries everywhere (full-snapshot cleanup). */
  purgeExpired(): void {
    if (!this.ttl) return;
    const now = this.ttl.now();
    for (const [ns, k, e] of this.table.entries()) if (this.isEntryExpired(e, now)) this.table.delete(ns, k);
  }

  protected abstract isEntryExpired(entry: S, now: number): boolean;

  /** Whether a stored entry has expired as a whole (full-snapshot cleanup leaves it out). */
  expiredEntry(entry: S, now: number): boolean {
    return this.isEntryExpired(entry, now);
  }
}

/** A state holding one value per (key, namespace): value, reducing and aggregating state. */
export abstract class CellState<V> extends HeapState<V | Stamped<V>> {
  protected read(): V | undefined {
    if (!this.ttl) return this.entry as V | undefined;
    // As Flink: the incremental cleanup step runs first, on every access, whether or not
    // the current key has state (and may itself remove an expired entry of this key).
    this.touched();
    const e = this.entry;
    if (e === undefined) return undefined;
    const s = e as Stamped<V>;
    const now = this.ttl.now();
    if (this.ttl.isExpired(s, now)) {
      // As Flink: a read clears an expired value; ReturnExpiredIfNotCleanedUp still returns it this once.
      this.entry = undefined;
      return this.ttl.config.visibility === 'ReturnExpiredIfNotCleanedUp' ? s.v : undefined;
    }
    if (this.ttl.restampsOnRead) this.entry = { v: s.v, t: now };
    return s.v;
  }

  protected write(v: V | undefined): void {
    if (v === undefined) this.entry = undefined;
    else this.entry = this.ttl ? { v, t: this.ttl.now() } : v;
    if (this.ttl) this.touched();
  }

  /** Reads namespace `ns` for the current key without TTL refresh and removes it. */
  protected takeFrom(ns: string): V | undefined {
    const e = this.entryIn(ns);
    if (e === undefined) return undefined;
    this.setEntryIn(ns, undefined);
    if (!this.ttl) return e as V;
    const s = e as Stamped<V>;
    return this.ttl.isExpired(s) && this.ttl.config.visibility === 'NeverReturnExpired' ? undefined : s.v;
  }

  /** Merges the values of `sources` into `target` with `combine` (reducing and aggregating state). */
  protected mergeWith(target: string, sources: readonly string[], combine: (a: V, b: V) => V): void {
    let acc: V | undefined;
    for (const ns of sources) {
      const v = this.takeFrom(ns);
      if (v !== undefined) acc = acc === undefined ? v : combine(acc, v);
    }
    if (acc === undefined) return;
    const saved = this.namespace;
    this.namespace = target;
    this.willChange(); // combine may change the target's value in place
    const current = this.read();
    this.write(current === undefined ? acc : combine(current, acc));
    this.namespace = saved;
  }

  protected isEntryExpired(entry: V | Stamped<V>, now: number): boolean {
    return this.ttl !== undefined && this.ttl.isExpired(entry as Stamped<V>, now);
  }
}
