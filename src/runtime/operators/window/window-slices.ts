/**
 * The slices (slide-long panes) of a slicing window operator, for all keys at once.
 *
 * Accumulators live in the keyed state table, one namespace per slice (`start:end`) and
 * one entry per key, so the state a snapshot sees is plain (slice, key) -> accumulator.
 * Nothing is kept per window or per (key, window). Beside the state each slice keeps, in
 * memory only, its keys in the order of their first record and that record's arrival
 * number: enough to list a window's keys in the order of their first record in the window
 * (the order the general window operator's per-key timers fire in). The keys are those of
 * the slice's namespace, in insertion order, so a restore can rebuild them from the state;
 * only the arrival order across slices would be approximate.
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

/** In WindowKeys.accs: the key has records in the window but no accumulator. */
export const NO_ACCUMULATOR: unique symbol = Symbol('no accumulator');

/** What a window holds, per key: filled by SliceStore.collect, reused between windows. */
export class WindowKeys {
  /** Keys in the order of their first record in the window. */
  readonly keys: KeyValue[] = [];
  /** Merged accumulator per key (parallel to keys), or NO_ACCUMULATOR. */
  readonly accs: unknown[] = [];
  /** Key id -> position, while collecting. */
  readonly index = new Map<KeyId, number>();

  reset(): void {
    this.keys.length = 0;
    this.accs.length = 0;
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
    const s = this.slices.get(start);
    if (s !== undefined) this.last = s;
    return s;
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
    const { keys, accs, index } = out;
    let maxSeq = -1;
    let interleaved = false;
    let last = end - this.slide;
    while (last >= start && !this.slices.has(last)) last -= this.slide;
    for (let s = start; s < end; s += this.slide) {
      const slice = this.slices.get(s);
      if (slice === undefined) continue;
      const { seqs, keys: sliceKeys, accs: sliceAccs } = slice;
      if (sliceKeys.length !== sliceAccs.size) throw new Error(`internal: slice ${s} lists ${sliceKeys.length} keys for ${sliceAccs.size} entries`);
      if (seqs.length === 0) continue;
      if (seqs[0]! < maxSeq) interleaved = true;
      maxSeq = Math.max(maxSeq, seqs[seqs.length - 1]!);
      // The state map iterates in insertion order, which is the order of sliceKeys: entries
      // are only ever added (an undefined accumulator stays as an entry) or dropped with the slice.
      // No later slice looks keys up: the last one only adds what is new.
      const indexNew = s !== last || interleaved;
      let j = 0;
      for (const [id, acc] of sliceAccs) {
        const i = index.get(id);
        const has = agg !== undefined && acc !== undefined;
        const copy = has && typeof acc === 'object' && acc !== null ? structuredClone(acc) : acc;
        if (i === undefined) {
          if (indexNew) index.set(id, keys.length);
          keys.push(sliceKeys[j]!);
          accs.push(has ? agg.merge(agg.createAccumulator(), copy) : NO_ACCUMULATOR);
        } else if (has) {
          const prev = accs[i];
          accs[i] = agg.merge(prev === NO_ACCUMULATOR ? agg.createAccumulator() : prev, copy);
        }
        j++;
      }
    }
    if (interleaved) this.sortByFirstRecord(start, end, out);
  }

  /**
   * Slices filled one after another list their keys in arrival order already; only
   * out-of-order input, where an earlier slice got a new key after a later one did, needs
   * each key's first arrival in the window and a sort.
   */
  private sortByFirstRecord(start: number, end: number, out: WindowKeys): void {
    const { keys, accs, index } = out;
    const firstSeq = new Array<number>(keys.length).fill(Infinity);
    for (let s = start; s < end; s += this.slide) {
      const slice = this.slices.get(s);
      if (slice === undefined) continue;
      for (let j = 0; j < slice.keys.length; j++) {
        const i = index.get(keyIdentity(slice.keys[j]!))!;
        if (slice.seqs[j]! < firstSeq[i]!) firstSeq[i] = slice.seqs[j]!;
      }
    }
    const order = firstSeq.map((_, i) => i).sort((a, b) => firstSeq[a]! - firstSeq[b]!);
    const [k, a] = [keys.slice(), accs.slice()];
    for (let i = 0; i < order.length; i++) {
      keys[i] = k[order[i]!]!;
      accs[i] = a[order[i]!];
    }
    // Positions moved: the index must not be read after this.
    index.clear();
  }
}
