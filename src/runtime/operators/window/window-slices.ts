/**
 * The slices (slide-long panes) of a slicing window operator, for all keys at once.
 *
 * Accumulators live in keyed state, one namespace per slice (`start:end`) and one entry
 * per key, so the state a snapshot sees is plain (slice, key) -> accumulator in whatever
 * backend holds it. Nothing is kept per window or per (key, window). Beside the state each
 * slice keeps, in memory only, its keys in the order of their first record and that
 * record's arrival number: enough to list a window's keys in the order of their first
 * record in the window (the order the general window operator's per-key timers fire in).
 * After a restore the slices are rebuilt from the state's namespaces and keys; only the
 * arrival order across slices is then approximate.
 */
import type { AggregateFunction } from '../../../api/functions.ts';
import type { InternalAggregatingState } from '../../state/keyed-state-backend.ts';
import type { KeyId, KeyRef } from '../../state/key-identity.ts';

export interface Slice {
  readonly start: number;
  /** The slice's namespace in the state. */
  readonly namespace: string;
  /** Keys in the order of their first record in this slice ... */
  readonly keys: KeyRef[];
  /** ... and the operator-wide arrival number of that record. */
  readonly seqs: number[];
}

/** In WindowKeys.accs: the key has records in the window but no accumulator. */
export const NO_ACCUMULATOR: unique symbol = Symbol('no accumulator');

/** What a window holds, per key: filled by SliceStore.collect, reused between windows. */
export class WindowKeys {
  /** Keys in the order of their first record in the window. */
  readonly keys: KeyRef[] = [];
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

/** merge may reuse either argument: it gets a copy of a stored accumulator, never the stored one. */
export function copyOf(acc: unknown): unknown {
  return typeof acc === 'object' && acc !== null ? structuredClone(acc) : acc;
}

export class SliceStore {
  private readonly slices = new Map<number, Slice>();
  /** The last slice used: consecutive records mostly fall into the same one. */
  private last: Slice | undefined;
  private seq = 0;
  /** Scratch: one slice's accumulators while collecting. */
  private readonly sliceAccs: unknown[] = [];

  constructor(
    private readonly state: InternalAggregatingState<unknown, unknown, unknown>,
    private readonly slide: number,
  ) {}

  get(start: number): Slice | undefined {
    const last = this.last;
    if (last !== undefined && last.start === start) return last;
    const s = this.slices.get(start);
    if (s !== undefined) this.last = s;
    return s;
  }

  /** The slice starting at `start`, created when missing. */
  getOrCreate(start: number): Slice {
    let s = this.get(start);
    if (s === undefined) {
      s = { start, namespace: `${start}:${start + this.slide}`, keys: [], seqs: [] };
      this.slices.set(start, s);
    }
    this.last = s;
    return s;
  }

  /** Notes that the current key got its first record in `slice`. */
  firstRecord(slice: Slice, key: KeyRef): void {
    slice.keys.push(key);
    slice.seqs.push(this.seq++);
  }

  /** Drops a slice and its state for every key (no window needs it any more). */
  drop(start: number): void {
    const s = this.slices.get(start);
    if (!s) return;
    this.slices.delete(start);
    if (this.last === s) this.last = undefined;
    this.state.clearNamespace(s.namespace);
  }

  /** The current key's accumulator in one slice; undefined when it has none. */
  accumulator(start: number): unknown {
    const s = this.get(start);
    if (s === undefined) return undefined;
    this.state.setCurrentNamespace(s.namespace);
    return this.state.getAccumulator();
  }

  /** Appends the keys with a record in the slices of [start, end), a key once per slice (a backend prefetches them before the window fires). */
  keysOf(start: number, end: number, out: KeyRef[]): void {
    for (let s = start; s < end; s += this.slide) {
      const slice = this.slices.get(s);
      if (slice !== undefined) for (const k of slice.keys) out.push(k);
    }
  }

  /** Rebuilds the slices from restored state; returns their starts, in order. */
  restore(): number[] {
    const starts: number[] = [];
    for (const ns of this.state.namespaces()) {
      const start = Number(ns.slice(0, ns.indexOf(':')));
      const slice = this.getOrCreate(start);
      for (const key of this.state.keysIn(ns)) this.firstRecord(slice, key);
      starts.push(start);
    }
    return starts.sort((a, b) => a - b);
  }

  /**
   * Fills `out` with the keys of window [start, end) in the order of their first record in
   * it and, with `agg`, each key's accumulators merged in slice order (as a per-key firing
   * merges them). Leaves the last key of the window current.
   */
  collect(start: number, end: number, out: WindowKeys, agg?: AggregateFunction<unknown, unknown, unknown>): void {
    out.reset();
    const { keys, accs, index } = out;
    let maxSeq = -1;
    let interleaved = false;
    const state = this.state;
    let last = end - this.slide;
    while (last >= start && !this.slices.has(last)) last -= this.slide;
    for (let s = start; s < end; s += this.slide) {
      const slice = this.slices.get(s);
      if (slice === undefined || slice.seqs.length === 0) continue;
      const { seqs, keys: sliceKeys } = slice;
      if (seqs[0]! < maxSeq) interleaved = true;
      maxSeq = Math.max(maxSeq, seqs[seqs.length - 1]!);
      const sliceAccs = this.sliceAccs;
      if (agg !== undefined) {
        state.setCurrentNamespace(slice.namespace);
        state.getAccumulatorsOf(sliceKeys, sliceAccs);
      }
      // No later slice looks keys up: the last one only adds what is new; and the first
      // slice's keys are all new (a slice lists each key once).
      const indexNew = s !== last || interleaved;
      const first = keys.length === 0;
      for (let j = 0; j < sliceKeys.length; j++) {
        const key = sliceKeys[j]!;
        const acc = agg === undefined ? undefined : sliceAccs[j];
        const i = first ? undefined : index.get(key.id);
        if (i === undefined) {
          if (indexNew) index.set(key.id, keys.length);
          keys.push(key);
          accs.push(acc !== undefined ? agg!.merge(agg!.createAccumulator(), copyOf(acc)) : NO_ACCUMULATOR);
        } else if (acc !== undefined) {
          const prev = accs[i];
          accs[i] = agg!.merge(prev === NO_ACCUMULATOR ? agg!.createAccumulator() : prev, copyOf(acc));
        }
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
        const i = index.get(slice.keys[j]!.id)!;
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
