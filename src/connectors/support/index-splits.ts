/**
 * The position of a source that makes record i from index i (datagen, Nexmark): split s of
 * p holds indices s, s+p, s+2p, ... A reader starts with its own split; restored, it takes
 * the splits its state was dealt (round-robin at another parallelism) and goes on from each
 * one's next index. The indices over all splits are the same at any parallelism, so a
 * restore, even a rescale, neither skips nor repeats a record. With several splits a reader
 * emits in increasing index order, so event time stays as ordered as a fresh run's.
 */
import type { SourceReaderContext } from '../../api/source.ts';

/** [stride, next index] */
export type IndexSplit = [stride: number, next: number];

export class IndexSplits {
  private constructor(private readonly splits: IndexSplit[]) {}

  static forReader(ctx: SourceReaderContext): IndexSplits {
    if (!ctx.isRestored) return new IndexSplits([[ctx.parallelism, ctx.subtaskIndex]]);
    return new IndexSplits(ctx.restoredState.map((s) => [...(s as IndexSplit)] as IndexSplit));
  }

  /** Calls `emit` with up to `max` next indices below `count`, lowest first; returns how many. */
  take(max: number, count: number, emit: (index: number) => void): number {
    const splits = this.splits;
    if (splits.length === 1) {
      const s = splits[0]!;
      const stride = s[0];
      let next = s[1];
      let n = 0;
      for (; n < max && next < count; n++, next += stride) emit(next);
      s[1] = next;
      return n;
    }
    let n = 0;
    for (; n < max; n++) {
      let lowest: IndexSplit | undefined;
      for (const s of splits) if (s[1] < count && (lowest === undefined || s[1] < lowest[1])) lowest = s;
      if (lowest === undefined) break;
      emit(lowest[1]);
      lowest[1] += lowest[0];
    }
    return n;
  }

  ended(count: number): boolean {
    return this.splits.every((s) => s[1] >= count);
  }

  /** The reader's state: one entry per split, dealt round-robin over subtasks on restore. */
  snapshot(): IndexSplit[] {
    return this.splits.map((s) => [s[0], s[1]]);
  }
}
