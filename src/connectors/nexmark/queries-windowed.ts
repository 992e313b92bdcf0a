// Plain-loop reference for the windowed Nexmark queries q5 (hot items) and q7 (highest
// bid), in event time with watermark = highest timestamp seen. A window [start, end)
// fires once a bid with timestamp >= end has been seen (Flink's monotonous watermark
// maxTs - 1 >= end - 1), and all remaining windows fire at end of input. Bids for a
// window that has already fired are late and dropped, as Flink does by default.
import type { Bid, NexmarkEvent } from './model.ts';
import type { QuerySink, Q5Row } from './query-sink.ts';
import { hashBid, hashQ5Row } from './query-sink.ts';

function checkWindow(name: string, size: number, slide: number): void {
  if (!(Number.isSafeInteger(size) && size > 0 && Number.isSafeInteger(slide) && slide > 0 && size % slide === 0)) {
    throw new RangeError(`${name}: window size ${size} ms must be a positive multiple of slide ${slide} ms`);
  }
}

/**
 * q5 (Flink's variant): per sliding window (default size 10s, slide 2s), the auctions
 * with the most bids and that count; ties all emitted. Counts are kept per pane of one
 * slide (as Flink SQL's window slicing does) and merged when a window fires, so a bid
 * costs one counter update instead of size/slide of them.
 */
export class Q5HotItems {
  private readonly panes = new Map<number, Map<number, number>>();
  private curStart = Number.NaN;
  private cur: Map<number, number> | null = null;
  private maxTs = -Infinity;
  private nextEnd = Infinity;
  private readonly merged = new Map<number, number>();

  constructor(readonly sink: QuerySink<Q5Row>, readonly sizeMs = 10_000, readonly slideMs = 2_000) {
    checkWindow('q5', sizeMs, slideMs);
  }

  process(events: readonly NexmarkEvent[], count: number): void {
    for (let i = 0; i < count; i++) {
      const e = events[i];
      if (e.type === 'bid') this.onBid(e.bid);
    }
  }

  onBid(b: Bid): void {
    const t = b.dateTime;
    const slide = this.slideMs;
    const ps = Math.floor(t / slide) * slide;
    // Windows holding this pane end at ps+slide .. ps+size; all ended already means late.
    if (ps + this.sizeMs > this.maxTs) {
      let pane = this.cur;
      if (ps !== this.curStart || pane === null) pane = this.openPane(ps);
      pane.set(b.auction, (pane.get(b.auction) ?? 0) + 1);
    }
    if (t > this.maxTs) {
      this.maxTs = t;
      if (t >= this.nextEnd) this.fireUntil(t);
    }
  }

  finish(): void {
    this.fireUntil(Infinity);
  }

  private openPane(ps: number): Map<number, number> {
    let pane = this.panes.get(ps);
    if (pane === undefined) {
      pane = new Map();
      this.panes.set(ps, pane);
      // First window holding this pane that is still open.
      const slide = this.slideMs;
      const firstOpen = Math.max(ps + slide, Math.floor(this.maxTs / slide) * slide + slide);
      if (firstOpen < this.nextEnd) this.nextEnd = firstOpen;
    }
    this.curStart = ps;
    this.cur = pane;
    return pane;
  }

  private fireUntil(limit: number): void {
    const { sizeMs, slideMs } = this;
    while (this.nextEnd <= limit && this.nextEnd !== Infinity) {
      const end = this.nextEnd;
      this.fire(end - sizeMs, end);
      this.panes.delete(end - sizeMs);
      if (this.curStart === end - sizeMs) {
        this.cur = null;
        this.curStart = Number.NaN;
      }
      // Panes left all start after the fired window's start; skip windows with no pane.
      let minPane = Infinity;
      for (const ps of this.panes.keys()) if (ps < minPane) minPane = ps;
      this.nextEnd = Math.max(end + slideMs, minPane + slideMs);
    }
  }

  private fire(start: number, end: number): void {
    const merged = this.merged;
    merged.clear();
    for (let ps = start; ps < end; ps += this.slideMs) {
      const pane = this.panes.get(ps);
      if (pane === undefined) continue;
      for (const [auction, n] of pane) merged.set(auction, (merged.get(auction) ?? 0) + n);
    }
    let max = 0;
    for (const n of merged.values()) if (n > max) max = n;
    if (max === 0) return;
    for (const [auction, n] of merged) {
      if (n === max) {
        const row: Q5Row = { windowStart: start, windowEnd: end, auction, count: n };
        this.sink.emit(row, hashQ5Row(row));
      }
    }
  }
}

interface MaxWindow {
  maxPrice: number;
  bids: Bid[];
}

/**
 * q7 (Flink's variant): per tumbling window (default 10s), the bid(s) with the highest
 * price. Flink joins back with `dateTime BETWEEN end - 10s AND end`; we keep the bids of
 * [start, end) only, which differs only for a max-price tie exactly at a window boundary.
 */
export class Q7HighestBid {
  private readonly windows = new Map<number, MaxWindow>();
  private curStart = Number.NaN;
  private cur: MaxWindow | null = null;
  private maxTs = -Infinity;
  private nextEnd = Infinity;

  constructor(readonly sink: QuerySink<Bid>, readonly sizeMs = 10_000) {
    checkWindow('q7', sizeMs, sizeMs);
  }

  process(events: readonly NexmarkEvent[], count: number): void {
    for (let i = 0; i < count; i++) {
      const e = events[i];
      if (e.type === 'bid') this.onBid(e.bid);
    }
  }

  onBid(b: Bid): void {
    const t = b.dateTime;
    const size = this.sizeMs;
    const ws = Math.floor(t / size) * size;
    if (ws + size > this.maxTs) {
      let w = this.cur;
      if (ws !== this.curStart || w === null) w = this.openWindow(ws);
      if (b.price > w.maxPrice) {
        w.maxPrice = b.price;
        w.bids.length = 0;
        w.bids.push(b);
      } else if (b.price === w.maxPrice) {
        w.bids.push(b);
      }
    }
    if (t > this.maxTs) {
      this.maxTs = t;
      if (t >= this.nextEnd) this.fireUntil(t);
    }
  }

  finish(): void {
    this.fireUntil(Infinity);
  }

  private openWindow(ws: number): MaxWindow {
    let w = this.windows.get(ws);
    if (w === undefined) {
      w = { maxPrice: -Infinity, bids: [] };
      this.windows.set(ws, w);
      if (ws + this.sizeMs < this.nextEnd) this.nextEnd = ws + this.sizeMs;
    }
    this.curStart = ws;
    this.cur = w;
    return w;
  }

  private fireUntil(limit: number): void {
    while (this.nextEnd <= limit && this.nextEnd !== Infinity) {
      const start = this.nextEnd - this.sizeMs;
      const w = this.windows.get(start);
      if (w !== undefined) {
        for (const b of w.bids) this.sink.emit(b, hashBid(b));
        this.windows.delete(start);
      }
      if (this.curStart === start) {
        this.cur = null;
        this.curStart = Number.NaN;
      }
      let minStart = Infinity;
      for (const ws of this.windows.keys()) if (ws < minStart) minStart = ws;
      this.nextEnd = minStart + this.sizeMs;
    }
  }
}
