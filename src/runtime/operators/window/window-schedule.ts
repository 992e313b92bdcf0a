/**
 * The event-time work of a slicing window operator: per window (not per key), a firing at
 * its max timestamp and a cleanup at max timestamp + allowed lateness. Few windows are
 * open at a time, so a sorted array does; each (kind, window) is scheduled at most once.
 */
export type WindowEventKind = 'fire' | 'cleanup';

export interface WindowEvent {
  readonly time: number;
  readonly kind: WindowEventKind;
  /** Start of the window. */
  readonly start: number;
}

export class WindowSchedule {
  /** Pending events by time; at equal times firings before cleanups, then by window start. */
  private readonly events: WindowEvent[] = [];
  private readonly fires = new Set<number>();
  private readonly cleanups = new Set<number>();

  add(time: number, kind: WindowEventKind, start: number): void {
    const set = kind === 'fire' ? this.fires : this.cleanups;
    if (set.has(start)) return;
    set.add(start);
    const e: WindowEvent = { time, kind, start };
    const a = this.events;
    let i = a.length;
    while (i > 0 && before(e, a[i - 1]!)) i--;
    a.splice(i, 0, e);
  }

  /** The window starts of the events at or before `time`, without removing them (to prefetch their keys). */
  dueStarts(time: number): number[] {
    const out: number[] = [];
    for (const e of this.events) {
      if (e.time > time) break;
      out.push(e.start);
    }
    return out;
  }

  /** Removes and returns the earliest event at or before `time`. */
  popDue(time: number): WindowEvent | undefined {
    const e = this.events[0];
    if (e === undefined || e.time > time) return undefined;
    this.events.shift();
    (e.kind === 'fire' ? this.fires : this.cleanups).delete(e.start);
    return e;
  }
}

function before(a: WindowEvent, b: WindowEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.kind !== b.kind) return a.kind === 'fire';
  return a.start < b.start;
}
