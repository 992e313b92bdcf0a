/** Shared base of heap states: a table, the current namespace, and TTL housekeeping. */
import type { StateDescriptor } from '../../../api/state.ts';
import { WeirError } from '../../../errors/index.ts';
import { VOID_NAMESPACE } from '../keyed-state-backend.ts';
import type { InternalKvState } from '../keyed-state-backend.ts';
import { StateTable } from './state-table.ts';
import type { KeyId } from './state-table.ts';
import type { Stamped, TtlPolicy } from './ttl.ts';

/** The backend's current key, shared by all its states. */
export interface CurrentKey {
  id: KeyId;
}

export abstract class HeapState<S> implements InternalKvState {
  protected namespace = VOID_NAMESPACE;
  readonly table = new StateTable<S>();

  constructor(
    readonly descriptor: StateDescriptor,
    protected readonly key: CurrentKey,
    protected readonly ttl: TtlPolicy | undefined,
  ) {}

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  clear(): void {
    this.table.delete(this.namespace, this.key.id);
  }

  mergeNamespaces(_target: string, _sources: readonly string[]): void {
    throw new WeirError('STATE_NOT_MERGEABLE', `state "${this.descriptor.name}" (${this.descriptor.kind}) cannot be merged; session windows need list, reducing or aggregating state`, false);
  }

  protected get entry(): S | undefined {
    return this.table.get(this.namespace, this.key.id);
  }

  protected set entry(s: S | undefined) {
    if (s === undefined) this.table.delete(this.namespace, this.key.id);
    else this.table.set(this.namespace, this.key.id, s);
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
    if (this.ttl.config.updateType === 'OnReadAndWrite') s.t = now;
    return s.v;
  }

  protected write(v: V | undefined): void {
    if (v === undefined) this.entry = undefined;
    else this.entry = this.ttl ? { v, t: this.ttl.now() } : v;
    if (this.ttl) this.touched();
  }

  /** Reads namespace `ns` for the current key without TTL refresh and removes it. */
  protected takeFrom(ns: string): V | undefined {
    const e = this.table.get(ns, this.key.id);
    if (e === undefined) return undefined;
    this.table.delete(ns, this.key.id);
    if (!this.ttl) return e as V;
    const s = e as Stamped<V>;
    return this.ttl.isExpired(s) && this.ttl.config.visibility === 'NeverReturnExpired' ? undefined : s.v;
  }

  protected isEntryExpired(entry: V | Stamped<V>, now: number): boolean {
    return this.ttl !== undefined && this.ttl.isExpired(entry as Stamped<V>, now);
  }
}
