/**
 * The active windows of one key for a merging assigner (sessions). Adding a window may
 * merge it with existing ones; the caller's merge callback moves state and timers. The
 * state keeps window ids (plain strings), so it snapshots like any other value.
 */
import type { MergingWindowAssigner } from '../../../api/windows/assigners.ts';
import type { ValueState } from '../../../api/state.ts';
import { GlobalWindow, TimeWindow } from '../../../api/windows/window.ts';
import type { Window } from '../../../api/windows/window.ts';

/** The window a state namespace or a stored id names. */
export function windowFromId(id: string): Window {
  return id === 'global' ? GlobalWindow.INSTANCE : TimeWindow.fromId(id);
}

export type MergeCallback = (mergeResult: Window, mergedWindows: Window[]) => void;

export class MergingWindowSet {
  private windows: Window[];

  constructor(
    private readonly assigner: MergingWindowAssigner<unknown, Window>,
    private readonly state: ValueState<string[]>,
  ) {
    this.windows = (state.value() ?? []).map(windowFromId);
  }

  contains(window: Window): boolean {
    return this.windows.some((w) => w.id === window.id);
  }

  /** Adds `newWindow`; returns the window it now belongs to (itself, or a merged one). */
  addWindow(newWindow: Window, onMerge: MergeCallback): Window {
    if (this.contains(newWindow)) return newWindow;
    const candidates = [...this.windows, newWindow];
    let result = newWindow;
    let merged = false;
    this.assigner.mergeWindows(candidates, (toBeMerged, mergeResult) => {
      const removed = new Set(toBeMerged.map((w) => w.id));
      this.windows = this.windows.filter((w) => !removed.has(w.id));
      this.windows.push(mergeResult);
      if (removed.has(newWindow.id)) {
        result = mergeResult;
        merged = true;
      }
      // The new window has no state yet; only pre-existing windows other than the result move.
      const moved = toBeMerged.filter((w) => w.id !== mergeResult.id && w.id !== newWindow.id);
      if (moved.length > 0 || !toBeMerged.some((w) => w.id === mergeResult.id)) onMerge(mergeResult, moved);
    });
    if (!merged) this.windows.push(newWindow);
    return result;
  }

  retireWindow(window: Window): void {
    this.windows = this.windows.filter((w) => w.id !== window.id);
  }

  persist(): void {
    if (this.windows.length === 0) this.state.clear();
    else this.state.update(this.windows.map((w) => w.id));
  }
}
