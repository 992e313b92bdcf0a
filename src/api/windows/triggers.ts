/**
 * Triggers decide when a window fires, as Flink's Trigger. They keep any state they need
 * through the context, scoped to the current key and window.
 */
import { ReducingStateDescriptor } from '../state.ts';
import type { ReducingState, StateDescriptor } from '../state.ts';
import type { Window } from './window.ts';

export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
}

export interface OnMergeContext extends TriggerContext {
  mergePartitionedState(descriptor: StateDescriptor): void;
}

export abstract class Trigger<T, W extends Window> {
  abstract onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract clear(window: W, ctx: TriggerContext): void;
  canMerge(): boolean {
    return false;
  }
  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error(`${this.toString()} does not support merging windows`);
  }
  abstract toString(): string;
}

export class EventTimeTrigger extends Trigger<unknown, Window> {
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }

  onElement(_e: unknown, _ts: number, window: Window, ctx: TriggerContext): TriggerResult {
    // A window already past the watermark (a late firing within allowed lateness) fires at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return 'EventTimeTrigger()';
  }
}

export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }

  onElement(_e: unknown, _ts: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'FIRE';
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}

const sum = (a: number, b: number) => a + b;
const min = (a: number, b: number) => Math.min(a, b);

/** Fires every `maxCount` elements of a window. */
export class CountTrigger extends Trigger<unknown, Window> {
  private readonly countDesc = new ReducingStateDescriptor<number>('count', sum);

  private constructor(private readonly maxCount: number) {
    super();
  }

  static of(maxCount: number): CountTrigger {
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`CountTrigger.of needs a count >= 1, got ${maxCount}`);
    return new CountTrigger(maxCount);
  }

  onElement(_e: unknown, _ts: number, _w: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getReducingState(this.countDesc);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }

  clear(_w: Window, ctx: TriggerContext): void {
    ctx.getReducingState(this.countDesc).clear();
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_w: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.countDesc as ReducingStateDescriptor<unknown>);
  }

  toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}

/** Turns every FIRE of the nested trigger into FIRE_AND_PURGE. */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(private readonly nested: Trigger<T, W>) {
    super();
  }

  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }

  private static purging(result: TriggerResult): TriggerResult {
    return result === 'FIRE' ? 'FIRE_AND_PURGE' : result;
  }

  onElement(e: T, ts: number, w: W, ctx: TriggerContext): TriggerResult {
    return PurgingTrigger.purging(this.nested.onElement(e, ts, w, ctx));
  }

  onEventTime(time: number, w: W, ctx: TriggerContext): TriggerResult {
    return PurgingTrigger.purging(this.nested.onEventTime(time, w, ctx));
  }

  onProcessingTime(time: number, w: W, ctx: TriggerContext): TriggerResult {
    return PurgingTrigger.purging(this.nested.onProcessingTime(time, w, ctx));
  }

  clear(w: W, ctx: TriggerContext): void {
    this.nested.clear(w, ctx);
  }

  override canMerge(): boolean {
    return this.nested.canMerge();
  }

  override onMerge(w: W, ctx: OnMergeContext): void {
    this.nested.onMerge(w, ctx);
  }

  toString(): string {
    return `PurgingTrigger(${this.nested.toString()})`;
  }
}

/** Fires at every `intervalMs` of event time within the window, and at its end. */
export class ContinuousEventTimeTrigger extends Trigger<unknown, Window> {
  private readonly fireTimeDesc = new ReducingStateDescriptor<number>('fire-time', min);

  private constructor(private readonly intervalMs: number) {
    super();
  }

  static of(intervalMs: number): ContinuousEventTimeTrigger {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`ContinuousEventTimeTrigger.of needs an interval > 0 ms, got ${intervalMs}`);
    return new ContinuousEventTimeTrigger(intervalMs);
  }

  onElement(_e: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getReducingState(this.fireTimeDesc);
    if (fireTime.get() === undefined) {
      const start = timestamp - (((timestamp % this.intervalMs) + this.intervalMs) % this.intervalMs);
      this.registerNextFireTime(start, window, ctx);
    }
    return 'CONTINUE';
  }

  /** As Flink: the next fire time never passes the window's end, so nothing fires after it but late records. */
  private registerNextFireTime(time: number, window: Window, ctx: TriggerContext): void {
    const next = Math.min(time + this.intervalMs, window.maxTimestamp());
    ctx.getReducingState(this.fireTimeDesc).add(next);
    ctx.registerEventTimeTimer(next);
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const fireTime = ctx.getReducingState(this.fireTimeDesc);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }

  clear(_w: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getReducingState(this.fireTimeDesc);
    const t = fireTime.get();
    if (t !== undefined) ctx.deleteEventTimeTimer(t);
    fireTime.clear();
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTimeDesc as ReducingStateDescriptor<unknown>);
    const t = ctx.getReducingState(this.fireTimeDesc).get();
    if (t !== undefined) ctx.registerEventTimeTimer(t);
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return `ContinuousEventTimeTrigger(${this.intervalMs})`;
  }
}

/** The default trigger of GlobalWindows: never fires. */
export class NeverTrigger extends Trigger<unknown, Window> {
  onElement(): TriggerResult {
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(): void {}
  override canMerge(): boolean {
    return true;
  }
  override onMerge(): void {}
  toString(): string {
    return 'NeverTrigger()';
  }
}
