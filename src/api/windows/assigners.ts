/** Window assigners, as Flink's: each element goes to zero or more windows. */
import { EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger } from './triggers.ts';
import type { Trigger } from './triggers.ts';
import { GlobalWindow, TimeWindow } from './window.ts';
import type { Window } from './window.ts';

export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

export abstract class WindowAssigner<T, W extends Window> {
  abstract assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): W[];
  abstract getDefaultTrigger(): Trigger<T, W>;
  abstract isEventTime(): boolean;
  abstract toString(): string;
  /** What is wrong with the assigner's parameters, checked when the job graph is built. */
  validate(): string | undefined {
    return undefined;
  }
}

export abstract class MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Merges overlapping windows; `merge` is called once per group of two or more. */
  abstract mergeWindows(windows: readonly W[], merge: (toBeMerged: W[], mergeResult: W) => void): void;
}

function sizeProblem(what: string, value: number): string | undefined {
  return Number.isFinite(value) && value > 0 ? undefined : `${what} must be > 0 ms, got ${value}`;
}

abstract class TumblingWindows extends WindowAssigner<unknown, TimeWindow> {
  protected constructor(
    protected readonly size: number,
    protected readonly offset: number,
  ) {
    super();
  }

  private lastStart = NaN;
  private lastWindows: TimeWindow[] = [];

  /** Consecutive records mostly share a window, so the last result is reused (callers must not mutate it). */
  protected windowFor(timestamp: number): TimeWindow[] {
    const start = TimeWindow.windowStart(timestamp, this.offset, this.size);
    if (start !== this.lastStart) {
      this.lastStart = start;
      this.lastWindows = [new TimeWindow(start, start + this.size)];
    }
    return this.lastWindows;
  }

  override validate(): string | undefined {
    return sizeProblem('window size', this.size) ?? (Math.abs(this.offset) >= this.size ? `window offset ${this.offset} must be smaller than the size ${this.size}` : undefined);
  }
}

export class TumblingEventTimeWindows extends TumblingWindows {
  static of(sizeMs: number, offsetMs = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(sizeMs, offsetMs);
  }

  assignWindows(_e: unknown, timestamp: number): TimeWindow[] {
    if (!Number.isFinite(timestamp)) {
      throw new Error('TumblingEventTimeWindows got a record without an event timestamp; assign timestamps with a WatermarkStrategy first');
    }
    return this.windowFor(timestamp);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `TumblingEventTimeWindows(${this.size})`;
  }
}

export class TumblingProcessingTimeWindows extends TumblingWindows {
  static of(sizeMs: number, offsetMs = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(sizeMs, offsetMs);
  }

  assignWindows(_e: unknown, _ts: number, ctx: WindowAssignerContext): TimeWindow[] {
    return this.windowFor(ctx.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `TumblingProcessingTimeWindows(${this.size})`;
  }
}

abstract class SlidingWindows extends WindowAssigner<unknown, TimeWindow> {
  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
  }

  private cachedStart = NaN;
  private cachedWindows: TimeWindow[] = [];

  /** Records in the same slide get the same windows, so the last result is reused (callers must not mutate it). */
  protected windowsFor(timestamp: number): TimeWindow[] {
    const lastStart = TimeWindow.windowStart(timestamp, this.offset, this.slide);
    if (lastStart === this.cachedStart) return this.cachedWindows;
    const windows: TimeWindow[] = [];
    for (let start = lastStart; start > timestamp - this.size; start -= this.slide) {
      windows.push(new TimeWindow(start, start + this.size));
    }
    this.cachedStart = lastStart;
    this.cachedWindows = windows;
    return windows;
  }

  override validate(): string | undefined {
    return (
      sizeProblem('window size', this.size) ??
      sizeProblem('window slide', this.slide) ??
      (Math.abs(this.offset) >= this.slide ? `window offset ${this.offset} must be smaller than the slide ${this.slide}` : undefined)
    );
  }
}

export class SlidingEventTimeWindows extends SlidingWindows {
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(sizeMs, slideMs, offsetMs);
  }

  assignWindows(_e: unknown, timestamp: number): TimeWindow[] {
    if (!Number.isFinite(timestamp)) {
      throw new Error('SlidingEventTimeWindows got a record without an event timestamp; assign timestamps with a WatermarkStrategy first');
    }
    return this.windowsFor(timestamp);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide})`;
  }
}

export class SlidingProcessingTimeWindows extends SlidingWindows {
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(sizeMs, slideMs, offsetMs);
  }

  assignWindows(_e: unknown, _ts: number, ctx: WindowAssignerContext): TimeWindow[] {
    return this.windowsFor(ctx.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`;
  }
}

/** Merges windows that overlap, as Flink's TimeWindow.mergeWindows. */
function mergeTimeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], result: TimeWindow) => void): void {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  let current: { cover: TimeWindow; members: TimeWindow[] } | undefined;
  const groups: { cover: TimeWindow; members: TimeWindow[] }[] = [];
  for (const w of sorted) {
    if (current && current.cover.intersects(w)) {
      current.cover = current.cover.cover(w);
      current.members.push(w);
    } else {
      current = { cover: w, members: [w] };
      groups.push(current);
    }
  }
  for (const g of groups) if (g.members.length > 1) merge(g.members, g.cover);
}

export type SessionGapExtractor<T> = (element: T) => number;

abstract class SessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
  protected constructor(
    protected readonly gap: number,
    protected readonly gapExtractor: SessionGapExtractor<T> | undefined,
  ) {
    super();
  }

  protected sessionFor(element: T, timestamp: number): TimeWindow[] {
    const gap = this.gapExtractor ? this.gapExtractor(element) : this.gap;
    if (!Number.isFinite(gap) || gap <= 0) throw new Error(`session gap must be > 0 ms, got ${gap}`);
    return [new TimeWindow(timestamp, timestamp + gap)];
  }

  mergeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], result: TimeWindow) => void): void {
    mergeTimeWindows(windows, merge);
  }

  override validate(): string | undefined {
    return this.gapExtractor ? undefined : sizeProblem('session gap', this.gap);
  }
}

export class EventTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  static withGap(gapMs: number): EventTimeSessionWindows {
    return new EventTimeSessionWindows(gapMs, undefined);
  }

  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(0, extractor);
  }

  assignWindows(element: T, timestamp: number): TimeWindow[] {
    if (!Number.isFinite(timestamp)) {
      throw new Error('EventTimeSessionWindows got a record without an event timestamp; assign timestamps with a WatermarkStrategy first');
    }
    return this.sessionFor(element, timestamp);
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `EventTimeSessionWindows(${this.gapExtractor ? 'dynamic' : this.gap})`;
  }
}

export class ProcessingTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  static withGap(gapMs: number): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(gapMs, undefined);
  }

  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(0, extractor);
  }

  assignWindows(element: T, _ts: number, ctx: WindowAssignerContext): TimeWindow[] {
    return this.sessionFor(element, ctx.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `ProcessingTimeSessionWindows(${this.gapExtractor ? 'dynamic' : this.gap})`;
  }
}

export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private static readonly WINDOWS = [GlobalWindow.INSTANCE];

  static create(): GlobalWindows {
    return new GlobalWindows();
  }

  assignWindows(): GlobalWindow[] {
    return GlobalWindows.WINDOWS;
  }

  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return new NeverTrigger();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return 'GlobalWindows()';
  }
}
