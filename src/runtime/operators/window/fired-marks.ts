/**
 * How far a slicing window operator has fired windows, per key group, across a restore.
 *
 * A subtask's watermark at a barrier is its own (watermarks and barriers travel apart), so
 * "fired up to" belongs to the key groups of the subtask that had it. Each subtask writes
 * union entries [first key group, last key group, fired up to]; a restored subtask takes,
 * for each of its key groups, the mark of the entry that covers it, whatever the old
 * parallelism. Before this, a subtask wrote its watermark as a plain number; such an entry
 * still restores, as the lowest of them for every key group (what that format could say).
 */
import type { KeyGroupRange } from '../../state/key-group.ts';

/** One union entry: key groups [start, end] fired their windows ending at or before `firedUpTo`. */
export type FiredRange = readonly [start: number, end: number, firedUpTo: number];

function isFiredRange(e: unknown): e is FiredRange {
  return Array.isArray(e) && e.length === 3 && e.every((n) => typeof n === 'number' && Number.isFinite(n));
}

export class RestoredFiredMarks {
  /** The lowest mark of any of this subtask's key groups (-Infinity when one has none). */
  readonly min: number;
  /** The highest: once the watermark reaches it, no window can have fired for any key. */
  readonly max: number;

  private constructor(
    private readonly range: KeyGroupRange,
    /** Mark per key group, from range.start on. */
    private readonly marks: Float64Array,
  ) {
    let min = Infinity;
    let max = -Infinity;
    for (const m of marks) {
      if (m < min) min = m;
      if (m > max) max = m;
    }
    this.min = min;
    this.max = max;
  }

  /** The marks of the key groups in `range` from every old subtask's union entries; undefined when none fired anything. */
  static fromUnion(entries: readonly unknown[], range: KeyGroupRange): RestoredFiredMarks | undefined {
    const marks = new Float64Array(range.size).fill(-Infinity);
    const legacy = entries.filter((e): e is number => typeof e === 'number' && Number.isFinite(e));
    if (legacy.length > 0) marks.fill(Math.min(...legacy));
    for (const e of entries) {
      if (!isFiredRange(e)) continue;
      const [start, end, firedUpTo] = e;
      for (let kg = Math.max(start, range.start); kg <= Math.min(end, range.end); kg++) marks[kg - range.start] = firedUpTo;
    }
    const restored = new RestoredFiredMarks(range, marks);
    return restored.max === -Infinity ? undefined : restored;
  }

  /** The mark of one of this subtask's key groups. */
  of(keyGroup: number): number {
    return this.marks[keyGroup - this.range.start]!;
  }

  /** Union entries for a snapshot at `watermark`: each key group's mark is the higher of its restored one and the watermark. */
  snapshot(watermark: number): FiredRange[] {
    const out: FiredRange[] = [];
    const { start } = this.range;
    let runStart = start;
    let runMark = Math.max(watermark, this.marks[0]!);
    for (let i = 1; i <= this.marks.length; i++) {
      const mark = i < this.marks.length ? Math.max(watermark, this.marks[i]!) : NaN;
      if (mark === runMark) continue;
      if (Number.isFinite(runMark)) out.push([runStart, start + i - 1, runMark]);
      runStart = start + i;
      runMark = mark;
    }
    return out;
  }
}

/** Union entries when nothing was restored, or the watermark has passed every restored mark. */
export function firedRangeOf(range: KeyGroupRange, watermark: number): FiredRange[] {
  return Number.isFinite(watermark) ? [[range.start, range.end, watermark]] : [];
}
