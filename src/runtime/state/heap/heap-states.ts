/** The five keyed state types on the heap. */
import type { AggregatingStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from '../../../api/state.ts';
import type { InternalAggregatingState, InternalListState, InternalMapState, InternalReducingState, InternalValueState } from '../keyed-state-backend.ts';
import type { KeyRef } from '../key-identity.ts';
import { CellState, HeapState } from './heap-state.ts';
import type { Stamped } from './ttl.ts';

export class HeapValueState<T> extends CellState<T> implements InternalValueState<T> {
  value(): T | undefined {
    const v = this.read();
    return v === undefined ? (this.descriptor as ValueStateDescriptor<T>).defaultValue : v;
  }

  update(value: T): void {
    this.write(value === null ? undefined : value);
  }

  willChangeInPlace(): void {
    this.willChange();
  }
}

export class HeapReducingState<T> extends CellState<T> implements InternalReducingState<T> {
  get(): T | undefined {
    return this.read();
  }

  add(value: T): void {
    this.willChange(); // reduce may change the current value in place
    const current = this.read();
    this.write(current === undefined ? value : (this.descriptor as ReducingStateDescriptor<T>).reduce(current, value));
  }

  override mergeNamespaces(target: string, sources: readonly string[]): void {
    this.mergeWith(target, sources, (this.descriptor as ReducingStateDescriptor<T>).reduce);
  }
}

export class HeapAggregatingState<IN, ACC, OUT> extends CellState<ACC> implements InternalAggregatingState<IN, ACC, OUT> {
  private get fn() {
    return (this.descriptor as AggregatingStateDescriptor<IN, ACC, OUT>).aggregate;
  }

  get(): OUT | undefined {
    const acc = this.read();
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }

  // Window operators read and update an accumulator per record: without TTL, straight to the table.
  // They may change an object they read in place, so a snapshot being read keeps it first; a
  // primitive or a missing one can only change through updateAccumulator, which notes it.
  getAccumulator(): ACC | undefined {
    const acc = this.ttl ? this.read() : (this.table.get(this.namespace, this.key.id) as ACC | undefined);
    if (typeof acc === 'object' && acc !== null) this.willChange();
    return acc;
  }

  updateAccumulator(acc: ACC): void {
    if (this.ttl || acc === undefined) this.write(acc);
    else this.table.set(this.namespace, this.key.id, acc);
  }

  getAccumulatorsOf(keys: readonly KeyRef[], out: (ACC | undefined)[]): void {
    this.entriesOf(keys, out as (ACC | Stamped<ACC> | undefined)[]);
    const ttl = this.ttl;
    if (!ttl) return;
    const now = ttl.now();
    for (let i = 0; i < keys.length; i++) {
      const s = out[i] as Stamped<ACC> | undefined;
      if (s !== undefined) out[i] = ttl.isExpired(s, now) && ttl.config.visibility === 'NeverReturnExpired' ? undefined : s.v;
    }
  }

  add(value: IN): void {
    this.willChange(); // add may change the accumulator in place
    const acc = this.read();
    this.write(this.fn.add(value, acc === undefined ? this.fn.createAccumulator() : acc));
  }

  override mergeNamespaces(target: string, sources: readonly string[]): void {
    const fn = this.fn;
    this.mergeWith(target, sources, (a, b) => fn.merge(a, b));
  }
}

/** List state; with TTL every element has its own stamp. */
export class HeapListState<T> extends HeapState<unknown[]> implements InternalListState<T> {
  get(): T[] {
    if (this.ttl) this.touched(); // cleanup first, on every access (as Flink)
    const list = this.entry;
    if (list === undefined) return [];
    if (!this.ttl) return (list as T[]).slice();
    const ttl = this.ttl;
    const now = ttl.now();
    const dropExpired = ttl.config.visibility === 'NeverReturnExpired';
    const kept: Stamped<T>[] = [];
    const out: T[] = [];
    for (const s of list as Stamped<T>[]) {
      const expired = ttl.isExpired(s, now);
      if (expired && dropExpired) continue;
      out.push(s.v);
      kept.push(!expired && ttl.restampsOnRead ? { v: s.v, t: now } : s);
    }
    if (kept.length !== list.length || ttl.restampsOnRead) this.entry = kept.length ? kept : undefined;
    return out;
  }

  add(value: T): void {
    if (value === undefined || value === null) throw new TypeError(`ListState "${this.descriptor.name}": cannot add ${value}`);
    const item = this.ttl ? { v: value, t: this.ttl.now() } : value;
    const list = this.entry;
    if (list === undefined) this.entry = [item];
    else {
      this.willChange();
      list.push(item);
    }
    this.touched();
  }

  addAll(values: readonly T[]): void {
    for (const v of values) this.add(v);
  }

  update(values: readonly T[]): void {
    this.entry = undefined;
    this.addAll(values);
  }

  override mergeNamespaces(target: string, sources: readonly string[]): void {
    const merged: unknown[] = [];
    for (const ns of sources) {
      const l = this.entryIn(ns);
      if (l) merged.push(...l);
      this.setEntryIn(ns, undefined);
    }
    if (merged.length === 0) return;
    const existing = this.entryIn(target);
    this.setEntryIn(target, existing ? existing.concat(merged) : merged);
  }

  protected isEntryExpired(entry: unknown[], now: number): boolean {
    return this.ttl !== undefined && (entry as Stamped<T>[]).every((s) => this.ttl!.isExpired(s, now));
  }
}

/** Map state; with TTL every entry has its own stamp. */
export class HeapMapState<K, V> extends HeapState<Map<K, unknown>> implements InternalMapState<K, V> {
  /**
   * Reads one entry as Flink's TTL map state does: a live entry is restamped under
   * OnReadAndWrite (only that entry); an expired one is removed, and returned this once
   * under ReturnExpiredIfNotCleanedUp.
   */
  private readStamped(m: Map<K, unknown>, key: K, s: Stamped<V>, now: number): Stamped<V> | undefined {
    const ttl = this.ttl!;
    if (ttl.isExpired(s, now)) {
      this.willChangeKey(key);
      m.delete(key);
      return ttl.config.visibility === 'ReturnExpiredIfNotCleanedUp' ? s : undefined;
    }
    if (!ttl.restampsOnRead) return s;
    const restamped = { v: s.v, t: now };
    this.willChangeKey(key);
    m.set(key, restamped);
    return restamped;
  }

  /** One map key's entry of the current key's map is about to change (a disk backend writes just that row). */
  private willChangeKey(key: K): void {
    this.table.willChangeMapKey(this.namespace, this.key.id, key);
  }

  private dropIfEmpty(m: Map<K, unknown>): void {
    if (m.size === 0 && this.entry === m) this.entry = undefined;
  }

  /** The entry for `key` as a read sees it (wrapped, so an undefined value is still found). */
  private lookup(key: K): { v: V } | undefined {
    if (this.ttl) this.touched(); // cleanup first, on every access (as Flink)
    const m = this.entry;
    if (m === undefined) return undefined;
    if (!this.ttl) return m.has(key) ? { v: m.get(key) as V } : undefined;
    const s = m.get(key) as Stamped<V> | undefined;
    if (s === undefined) return undefined;
    const r = this.readStamped(m, key, s, this.ttl.now());
    this.dropIfEmpty(m);
    return r;
  }

  get(key: K): V | undefined {
    return this.lookup(key)?.v;
  }

  put(key: K, value: V): void {
    let m = this.entry;
    if (m === undefined) {
      m = new Map();
      this.entry = m;
    } else {
      this.willChangeKey(key);
    }
    m.set(key, this.ttl ? { v: value, t: this.ttl.now() } : value);
    this.touched();
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: K): void {
    const m = this.entry;
    if (!m) return;
    this.willChangeKey(key);
    m.delete(key);
    if (m.size === 0) this.entry = undefined;
  }

  contains(key: K): boolean {
    return this.lookup(key) !== undefined;
  }

  entries(): [K, V][] {
    if (this.ttl) this.touched();
    const m = this.entry;
    if (m === undefined) return [];
    if (!this.ttl) return [...(m as Map<K, V>)];
    const now = this.ttl.now();
    const out: [K, V][] = [];
    for (const [k, s] of m) {
      const r = this.readStamped(m, k, s as Stamped<V>, now);
      if (r) out.push([k, r.v]);
    }
    this.dropIfEmpty(m);
    return out;
  }

  keys(): K[] {
    return this.entries().map((e) => e[0]);
  }

  values(): V[] {
    return this.entries().map((e) => e[1]);
  }

  /** Does not restamp; drops expired entries unless they may still be returned. */
  isEmpty(): boolean {
    if (this.ttl) this.touched();
    const m = this.entry;
    if (m === undefined) return true;
    if (!this.ttl) return m.size === 0;
    if (this.ttl.config.visibility === 'NeverReturnExpired') {
      const now = this.ttl.now();
      for (const [k, s] of m) {
        if (!this.ttl.isExpired(s as Stamped<V>, now)) continue;
        this.willChangeKey(k);
        m.delete(k);
      }
      this.dropIfEmpty(m);
    }
    return m.size === 0;
  }

  protected isEntryExpired(entry: Map<K, unknown>, now: number): boolean {
    if (!this.ttl) return false;
    for (const s of entry.values()) if (!this.ttl.isExpired(s as Stamped<V>, now)) return false;
    return true;
  }
}
