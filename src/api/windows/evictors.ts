/** Evictors remove elements from a window's contents before and/or after the function runs. */
import type { Window } from './window.ts';

export interface TimestampedValue<T> {
  value: T;
  /** Event timestamp, or NaN when the element has none. */
  timestamp: number;
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

export interface Evictor<T, W extends Window> {
  /** Mutates `elements` in place. */
  evictBefore(elements: TimestampedValue<T>[], window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], window: W, ctx: EvictorContext): void;
  toString(): string;
}

/** Keeps at most `maxCount` elements: the most recent ones. */
export class CountEvictor implements Evictor<unknown, Window> {
  private constructor(
    private readonly maxCount: number,
    private readonly doEvictAfter: boolean,
  ) {}

  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`CountEvictor.of needs a count >= 0, got ${maxCount}`);
    return new CountEvictor(maxCount, doEvictAfter);
  }

  private evict(elements: TimestampedValue<unknown>[]): void {
    if (elements.length > this.maxCount) elements.splice(0, elements.length - this.maxCount);
  }

  evictBefore(elements: TimestampedValue<unknown>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<unknown>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  toString(): string {
    return `CountEvictor(${this.maxCount})`;
  }
}

/** Keeps the elements within `windowSizeMs` of the newest element's timestamp. */
export class TimeEvictor implements Evictor<unknown, Window> {
  private constructor(
    private readonly windowSizeMs: number,
    private readonly doEvictAfter: boolean,
  ) {}

  static of(windowSizeMs: number, doEvictAfter = false): TimeEvictor {
    if (!Number.isFinite(windowSizeMs) || windowSizeMs < 0) throw new RangeError(`TimeEvictor.of needs a size >= 0 ms, got ${windowSizeMs}`);
    return new TimeEvictor(windowSizeMs, doEvictAfter);
  }

  private evict(elements: TimestampedValue<unknown>[]): void {
    if (elements.length === 0 || !elements.every((e) => Number.isFinite(e.timestamp))) return;
    let newest = -Infinity;
    for (const e of elements) if (e.timestamp > newest) newest = e.timestamp;
    const cutoff = newest - this.windowSizeMs;
    let w = 0;
    for (const e of elements) if (e.timestamp > cutoff) elements[w++] = e;
    elements.length = w;
  }

  evictBefore(elements: TimestampedValue<unknown>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<unknown>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  toString(): string {
    return `TimeEvictor(${this.windowSizeMs})`;
  }
}
