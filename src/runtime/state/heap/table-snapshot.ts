/**
 * A copy-on-write view of a StateTable as it was at a barrier, read while the task goes on
 * changing the table (the role of Flink's CopyOnWriteStateMap snapshots). Taking it copies
 * nothing, not even the namespace names: the table tells the view of every namespace it
 * creates afterwards, and those are not the view's. The first change to an entry the view
 * has not read yet keeps the entry's old value (a copy, for containers a state changes in
 * place), and a namespace dropped whole keeps its old map, which nothing changes any more.
 * Reading walks the live maps and takes kept values where there are any.
 *
 * Entries the reader has passed are marked, so a later change does not keep them again;
 * a namespace read to its end is forgotten (its marks freed, its changes no longer kept).
 */
import type { KeyId } from '../key-identity.ts';

/** Copies an entry a state may change in place (a method, so a table of S is a table of unknown). */
export interface EntryCopier<S> {
  copy(entry: S): S;
}

const ABSENT: unique symbol = Symbol('absent at the barrier');
const READ: unique symbol = Symbol('already read');
type Kept<S> = S | typeof ABSENT | typeof READ;

export class TableSnapshot<S> {
  /** Namespaces created after the barrier: not part of the view. */
  private readonly created = new Set<string>();
  /** Namespaces read to their end: changes to them need not be kept. */
  private readonly done = new Set<string>();
  private readonly kept = new Map<string, Map<KeyId, Kept<S>>>();
  /** Namespaces of the view dropped whole after the barrier, with their maps as they were. */
  private readonly frozen = new Map<string, ReadonlyMap<KeyId, S>>();
  /** Set when a newer snapshot took over the table: the rest of this view, read at once. */
  private rest: [string, KeyId, S][] | undefined;
  private restIndex = 0;
  /** Where reading is: the live namespaces, then the dropped ones; within one, its map, then its kept entries. */
  private namespaceIter: Iterator<string> | undefined;
  private readingFrozen = false;
  private current: { ns: string; base: Iterator<[KeyId, S]> | undefined; kept: Iterator<[KeyId, Kept<S>]> | undefined } | undefined;

  constructor(
    private readonly live: ReadonlyMap<string, ReadonlyMap<KeyId, S>>,
    private readonly copier: EntryCopier<S>,
  ) {}

  private outside(namespace: string): boolean {
    return this.created.has(namespace) || this.done.has(namespace);
  }

  /** The table created a namespace (it did not exist at the barrier, or was dropped since). */
  namespaceCreated(namespace: string): void {
    this.created.add(namespace);
  }

  /** (namespace, key) is about to change: keep its value at the barrier unless already kept or read. */
  keep(namespace: string, key: KeyId): void {
    if (this.outside(namespace) || this.frozen.has(namespace)) return;
    let kept = this.kept.get(namespace);
    if (kept === undefined) this.kept.set(namespace, (kept = new Map()));
    if (kept.has(key)) return;
    const current = this.live.get(namespace)?.get(key);
    kept.set(key, current === undefined ? ABSENT : this.copier.copy(current));
  }

  /** A namespace is about to be dropped whole: its map, no longer changed, is the view's. */
  freeze(namespace: string): void {
    if (this.outside(namespace) || this.frozen.has(namespace)) return;
    const m = this.live.get(namespace);
    if (m !== undefined) this.frozen.set(namespace, m);
  }

  /**
   * Reads up to `max` more entries as at the barrier into `emit` (values are safe to keep);
   * true when the view has been read to its end. A plain loop, not a generator: it runs once
   * per entry of the state.
   */
  read(max: number, emit: (namespace: string, key: KeyId, value: S) => void): boolean {
    if (this.rest !== undefined) return this.readRest(max, emit);
    let n = 0;
    for (;;) {
      if (this.current === undefined) {
        const ns = this.nextNamespace();
        if (ns === undefined) return true;
        // A namespace dropped while it is read stays the same map: the frozen one.
        const base = this.frozen.get(ns) ?? this.live.get(ns);
        this.current = { ns, base: base?.entries(), kept: undefined };
      }
      const c = this.current;
      let kept = this.kept.get(c.ns);
      if (kept === undefined) this.kept.set(c.ns, (kept = new Map()));
      while (c.base !== undefined) {
        if (n >= max) return false;
        const r = c.base.next();
        if (r.done) {
          c.base = undefined;
          break;
        }
        const [key, value] = r.value;
        const k = kept.get(key);
        if (k === READ || k === ABSENT) continue;
        kept.set(key, READ);
        emit(c.ns, key, k === undefined ? this.copier.copy(value) : k);
        n++;
      }
      // Entries removed before the walk reached them. Entries kept meanwhile are all ABSENT
      // (every key still in the map has been read), so iterating while they are added is safe.
      c.kept ??= kept.entries();
      for (;;) {
        if (n >= max) return false;
        const r = c.kept.next();
        if (r.done) break;
        const [key, k] = r.value;
        if (k === READ || k === ABSENT) continue;
        kept.set(key, READ);
        emit(c.ns, key, k);
        n++;
      }
      this.done.add(c.ns);
      this.kept.delete(c.ns);
      this.frozen.delete(c.ns);
      this.current = undefined;
    }
  }

  /** The next namespace of the view to read: live ones that existed at the barrier, then dropped ones. */
  private nextNamespace(): string | undefined {
    if (!this.readingFrozen) {
      this.namespaceIter ??= this.live.keys();
      for (;;) {
        const r = this.namespaceIter.next();
        if (r.done) break;
        if (!this.outside(r.value)) return r.value;
      }
      this.readingFrozen = true;
      this.namespaceIter = undefined;
    }
    // Dropped before the walk reached them (the live iterator does not see them any more).
    for (const ns of this.frozen.keys()) if (!this.done.has(ns)) return ns;
    return undefined;
  }

  private readRest(max: number, emit: (namespace: string, key: KeyId, value: S) => void): boolean {
    const rest = this.rest!;
    const end = Math.min(rest.length, this.restIndex + max);
    for (; this.restIndex < end; this.restIndex++) {
      const [ns, key, value] = rest[this.restIndex]!;
      emit(ns, key, value);
    }
    return this.restIndex >= rest.length;
  }

  /** A newer snapshot takes over the table: read the rest of this one now, while it is still right. */
  detach(): void {
    if (this.rest !== undefined) return;
    const rest: [string, KeyId, S][] = [];
    this.read(Infinity, (ns, key, value) => rest.push([ns, key, value]));
    this.rest = rest;
  }
}
