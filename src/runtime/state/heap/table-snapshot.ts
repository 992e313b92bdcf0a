/**
 * A copy-on-write view of a StateTable as it was at a barrier, read while the task goes on
 * changing the table (the role of Flink's CopyOnWriteStateMap snapshots). Taking it costs
 * one set of the namespace names; no entry is copied then. Afterwards, the first change to
 * an entry the view has not read yet keeps the entry's old value (a copy, for containers a
 * state changes in place), and a namespace dropped whole keeps its old map, which nothing
 * changes any more. Reading walks the live maps and takes kept values where there are any.
 *
 * Entries the reader has passed are marked, so a later change does not keep them again:
 * while a snapshot is read, the marks cost memory in proportion to the entries read, which
 * the old copy-everything-at-once capture cost at the barrier.
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
  private readonly captured: Set<string>;
  private readonly kept = new Map<string, Map<KeyId, Kept<S>>>();
  private readonly frozen = new Map<string, ReadonlyMap<KeyId, S>>();
  /** Set when a newer snapshot took over the table: the rest of this view, read at once. */
  private rest: [string, KeyId, S][] | undefined;
  /** Where reading is: the namespace, and within it the walk of its map, then of its kept entries. */
  private readonly namespaceOrder: string[];
  private nsIndex = 0;
  private baseEntries: Iterator<[KeyId, S]> | undefined;
  private baseDone = false;
  private keptEntries: Iterator<[KeyId, Kept<S>]> | undefined;

  constructor(
    private readonly live: ReadonlyMap<string, ReadonlyMap<KeyId, S>>,
    private readonly copier: EntryCopier<S>,
  ) {
    this.captured = new Set(live.keys());
    this.namespaceOrder = [...this.captured];
  }

  /** (namespace, key) is about to change: keep its value at the barrier unless already kept or read. */
  keep(namespace: string, key: KeyId): void {
    if (!this.captured.has(namespace) || this.frozen.has(namespace)) return;
    let kept = this.kept.get(namespace);
    if (kept === undefined) this.kept.set(namespace, (kept = new Map()));
    if (kept.has(key)) return;
    const current = this.live.get(namespace)?.get(key);
    kept.set(key, current === undefined ? ABSENT : this.copier.copy(current));
  }

  /** A namespace is about to be dropped whole: its map, no longer changed, is the view's. */
  freeze(namespace: string): void {
    if (!this.captured.has(namespace) || this.frozen.has(namespace)) return;
    const m = this.live.get(namespace);
    if (m !== undefined) this.frozen.set(namespace, m);
  }

  /**
   * Reads up to `max` more entries as at the barrier into `emit` (values are safe to keep);
   * true when the view has been read to its end. A plain loop, not a generator: it runs once
   * per entry of the state.
   */
  read(max: number, emit: (namespace: string, key: KeyId, value: S) => void): boolean {
    if (this.rest !== undefined) {
      for (const [ns, key, value] of this.rest) emit(ns, key, value);
      this.rest = [];
      return true;
    }
    let n = 0;
    while (this.nsIndex < this.namespaceOrder.length) {
      const ns = this.namespaceOrder[this.nsIndex]!;
      let kept = this.kept.get(ns);
      if (kept === undefined) this.kept.set(ns, (kept = new Map()));
      if (this.baseEntries === undefined && !this.baseDone) {
        const base = this.frozen.get(ns) ?? this.live.get(ns);
        this.baseEntries = base?.entries();
        if (this.baseEntries === undefined) this.baseDone = true;
      }
      if (!this.baseDone) {
        for (;;) {
          if (n >= max) return false;
          const r = this.baseEntries!.next();
          if (r.done) break;
          const [key, value] = r.value;
          const k = kept.get(key);
          if (k === READ || k === ABSENT) continue;
          kept.set(key, READ);
          emit(ns, key, k === undefined ? this.copier.copy(value) : k);
          n++;
        }
        this.baseDone = true;
        this.baseEntries = undefined;
      }
      // Entries removed before the walk reached them.
      this.keptEntries ??= kept.entries();
      for (;;) {
        if (n >= max) return false;
        const r = this.keptEntries.next();
        if (r.done) break;
        const [key, k] = r.value;
        if (k === READ || k === ABSENT) continue;
        kept.set(key, READ);
        emit(ns, key, k);
        n++;
      }
      this.keptEntries = undefined;
      this.baseDone = false;
      this.nsIndex++;
    }
    return true;
  }

  /** A newer snapshot takes over the table: read the rest of this one now, while it is still right. */
  detach(): void {
    if (this.rest !== undefined) return;
    const rest: [string, KeyId, S][] = [];
    this.read(Infinity, (ns, key, value) => rest.push([ns, key, value]));
    this.rest = rest;
  }
}
