/**
 * The slices (slide-long panes) of a slicing window operator, for all keys at once.
 *
 * Accumulators live in the keyed state table, one namespace per slice (`start:end`) and
 * one entry per key, so the state a snapshot sees is plain (slice, key) -> accumulator.
 * Beside it each slice keeps, in memory only, its keys in the order of their first record
 * and that record's arrival number: enough to list a window's keys in the order of their
 * first record in the window (the order the general window operator's timers fire in),
 * and rebuildable from the state table if it were ever lost.
 */
import type { AggregateFunction } from '../../../api/functions.ts';
import { keyIdentity } from '../../state/keyed-state-backend.ts';
import type { KeyValue } from '../../state/key-group.ts';
import type { KeyId, StateTable } from '../../state/heap/state-table.ts';

export interface Slice {
  readonly start: number;
  /** The slice's namespace in the state table: key id -> accumulator. */
  readonly accs: Map<KeyId, unknown>;
  /** Keys in the order of their first record in this slice ... */
  readonly keys: KeyValue[];
  /** ... and the operator-wide arrival number of that record. */
  readonly seqs: number[];
}

/** What a window holds, per key: filled by SliceStore.collect, reused between windows. */
export class WindowKeys {
  /** Keys in the order of their first record in the window. */
  readonly keys: KeyValue[] = [];
  /** Merged accumulator per key (parallel to keys), valid where has[i]. */
  readonly accs: unknown[] = [];
  readonly has: boolean[] = [];
  /** Arrival number of each key's first record in the window. */
  readonly firstSeq: number[] = [];
  readonly index = new Map<KeyId, number>();

  reset(): void {
    this.keys.length = 0;
    this.accs.length = 0;
    this.has.length = 0;
    this.firstSeq.length = 0;
    this.index.clear();
  }
}

export class SliceStore {
  private readonly slices = new Map<number, Slice>();
  /** The last slice used: consecutive records mostly fall into the same one. */
  private last: Slice | undefined;
  private seq = 0;

  constructor(
    private readonly table: StateTable<unknown>,
    private readonly slide: number,
  ) {}

  get(start: number): Slice | undefined {
    const last = this.last;
    if (last !== undefined && last.start === start) return last;
    return this.slices.get(start);
  }

  has(start: number): boolean {
    return this.slices.has(start);
  }

  /** The slice starting at `start`, created (with its state namespace) when missing. */
  getOrCreate(start: number): Slice {
    let s = this.get(start);
    if (s === undefined) {
      s = { start, accs: this.table.namespace(`${start}:${start + this.slide}`), keys: [], seqs: [] };
      this.slices.set(start, s);
    }
    this.last = s;
    return s;
  }

  /** Notes that `key` got its first record in `slice`. */
  firstRecord(slice: Slice, key: KeyValue): void {
    slice.keys.push(key);
    slice.seqs.push(this.seq++);
  }

  /** Drops a slice and its state for every key (no window needs it any more). */
  drop(start: number): void {
    if (!this.slices.delete(start)) return;
    if (this.last?.start === start) this.last = undefined;
    this.table.dropNamespace(`${start}:${start + this.slide}`);
  }

  /** One key's accumulator in one slice; undefined when it has none. */
  accumulator(start: number, id: KeyId): unknown {
    return this.get(start)?.accs.get(id);
  }

  /**
   * Fills `out` with the keys of window [start, end) in the order of their first record in
   * it and, with `agg`, each key's accumulators merged in slice order (as a per-key firing
   * merges them). merge may reuse either argument, so it gets a copy of the stored one.
   */
  collect(start: number, end: number, out: WindowKeys, agg?: AggregateFunction<unknown, unknown, unknown>): void {
    out.reset();
    const { keys, accs, has, firstSeq, index } = out;
    for (let s = start; s < end; s += this.slide) {
      const slice = this.slices.get(s);
      if (slice === undefined) continue;
      const sk = slice.keys;
      for (let j = 0; j < sk.length; j++) {
        const key = sk[j]!;
        const id = keyIdentity(key);
        let i = index.get(id);
        if (i === undefined) {
          i = keys.length;
          index.set(id, i);
          keys.push(key);
          accs.push(undefined);
          has.push(false);
          firstSeq.push(slice.seqs[j]!);
        } else if (slice.seqs[j]! < firstSeq[i]!) {
          firstSeq[i] = slice.seqs[j]!;
        }
        if (agg === undefined) continue;
        const acc = slice.accs.get(id);
        if (acc === undefined) continue;
        const copy = typeof acc === 'object' && acc !== null ? structuredClone(acc) : acc;
        accs[i] = agg.merge(has[i] ? accs[i] : agg.createAccumulator(), copy);
        has[i] = true;
      }
    }
    sortByFirstRecord(out);
  }
}

/**
 * Slices filled one after another list their keys in arrival order already; only
 * out-of-order input, where an earlier slice got a new key after a later one did, needs
 * the sort.
 */
function sortByFirstRecord(out: WindowKeys): void {
  const { keys, accs, has, firstSeq } = out;
  let sorted = true;
  for (let i = 1; i < firstSeq.length && sorted; i++) sorted = firstSeq[i - 1]! < firstSeq[i]!;
  if (sorted) return;
  const order = firstSeq.map((_, i) => i).sort((a, b) => firstSeq[a]! - firstSeq[b]!);
  const [k, a, h, f] = [keys.slice(), accs.slice(), has.slice(), firstSeq.slice()];
  for (let i = 0; i < order.length; i++) {
    const from = order[i]!;
    keys[i] = k[from]!;
    accs[i] = a[from];
    has[i] = h[from]!;
    firstSeq[i] = f[from]!;
  }
  // index is only used while collecting; positions moved, so it must not be read after this.
  out.index.clear();
}
