/**
 * Sliding event-time windows with an AggregateFunction, computed from slices: each record
 * updates the accumulator of the one slice (slide-long pane) it falls in, and a window's
 * result merges its size/slide slice accumulators when it fires. One state update per
 * record instead of one per window (Flink SQL's window slicing, here for DataStream).
 *
 * Timers are per window, not per (key, window): when the watermark passes a window's end,
 * the window fires for every key with a record in its slices, in the order of each key's
 * first record in the window, which is the order in which the general operator's per-key
 * timers fire. A record that makes a new slice is all the scheduling there is.
 *
 * Results, timestamps, lateness, late firings and the late side output are those of the
 * general WindowOperator with EventTimeTrigger; the factory only picks this operator when
 * that holds (sliding event-time assigner, size a multiple of slide, default trigger, no
 * evictor, an aggregate function whose merge works on copyable plain-data accumulators).
 */
import type { WindowSpec } from '../../../api/transformation.ts';
import type { SlidingEventTimeWindows } from '../../../api/windows/assigners.ts';
import { TimeWindow } from '../../../api/windows/window.ts';
import type { Collector, AggregateFunction } from '../../../api/functions.ts';
import { AggregatingStateDescriptor } from '../../../api/state.ts';
import type { InternalAggregatingState } from '../../state/keyed-state-backend.ts';
import { keyGroupFor } from '../../state/key-group.ts';
import type { KeyValue } from '../../state/key-group.ts';
import type { KeyRef } from '../../state/key-identity.ts';
import type { RecordBatch } from '../../stream-element.ts';
import type { OperatorStateSnapshot, StateInitializationContext } from '../../state/operator-state.ts';
import { KeyedOperator } from '../keyed-operator.ts';
import { StreamingRuntimeContext } from '../streaming-runtime-context.ts';
import { closeFunction, openFunction } from '../stream-operator.ts';
import { WindowContext } from './window-trigger-context.ts';
import { NO_ACCUMULATOR, SliceStore, WindowKeys, copyOf } from './window-slices.ts';
import { WindowSchedule } from './window-schedule.ts';
import { RestoredFiredMarks, firedRangeOf } from './fired-marks.ts';

export class SlicingWindowOperator extends KeyedOperator implements Collector<unknown> {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly lateness: number;
  private readonly slicesPerWindow: number;
  private readonly agg: AggregateFunction<unknown, unknown, unknown>;
  private state!: InternalAggregatingState<unknown, unknown, unknown>;
  private slices!: SliceStore;
  private readonly schedule = new WindowSchedule();
  private readonly windowKeys = new WindowKeys();
  private ctx!: WindowContext;
  private outputTimestamp = NaN;
  private lastSliceStart = NaN;
  /** The union entries restored from, until open reads them for this subtask's key groups. */
  private restoredUnion: readonly unknown[] = [];
  /**
   * Per key group, the watermark of the old subtask that held it at the checkpoint this run
   * restored from: a key's windows ending at or before it fired before the checkpoint and
   * must not fire again (their slices stay while later windows need them, and timers are not
   * kept for them, unlike Flink's per-window timers). Dropped once the watermark passes the
   * highest mark: every window still to fire ends later.
   */
  private restored: RestoredFiredMarks | undefined;
  /** The lowest restored mark: windows ending at or before it fired for every key. */
  private firedUpTo = -Infinity;
  numLateRecordsDropped = 0;

  constructor(private readonly spec: WindowSpec) {
    super();
    const assigner = spec.assigner as unknown as SlidingEventTimeWindows;
    this.size = assigner.size;
    this.slide = assigner.slide;
    this.offset = assigner.offset;
    this.lateness = spec.allowedLatenessMs;
    this.slicesPerWindow = this.size / this.slide;
    if (spec.fn.kind !== 'aggregate') throw new Error('internal: slicing needs an aggregate function');
    this.agg = spec.fn.aggregate;
  }

  /** Every old subtask's fired-up-to marks of its key groups (union state; see fired-marks.ts). */
  override initializeState(context: StateInitializationContext): void {
    if (context.restored) this.restoredUnion = context.union;
  }

  override snapshotState(): OperatorStateSnapshot {
    const wm = this.timers.currentWatermark;
    return { union: this.restored ? this.restored.snapshot(wm) : firedRangeOf(this.backend.keyGroupRange, wm) };
  }

  override async open(): Promise<void> {
    await super.open();
    this.state = this.backend.getAggregatingState(new AggregatingStateDescriptor('window-slices', this.agg));
    this.slices = new SliceStore(this.state, this.slide);
    this.restored = RestoredFiredMarks.fromUnion(this.restoredUnion, this.backend.keyGroupRange);
    this.restoredUnion = [];
    if (this.restored) this.firedUpTo = this.restored.min;
    // Restored slices fire and clean up their windows as new ones would, but for windows that fired before the checkpoint.
    for (const start of this.slices.restore()) this.scheduleWindowsOf(start, this.firedUpTo);
    this.ctx = new WindowContext(this.backend, this.timers, this.output);
    await openFunction(this.spec.fn.process?.fn, new StreamingRuntimeContext(this.setup));
  }

  override async close(): Promise<void> {
    await closeFunction(this.spec.fn.process?.fn);
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      const key = this.setKeyOf(values[i], 0);
      this.processElement(key, values[i], timestamps[i]!);
    }
  }

  private processElement(key: KeyValue, value: unknown, timestamp: number): void {
    if (!Number.isFinite(timestamp)) {
      throw new Error('SlidingEventTimeWindows got a record without an event timestamp; assign timestamps with a WatermarkStrategy first');
    }
    // Consecutive records mostly share a slice: a range check instead of a float modulo.
    let sliceStart = this.lastSliceStart;
    if (!(timestamp >= sliceStart && timestamp < sliceStart + this.slide)) {
      sliceStart = this.lastSliceStart = TimeWindow.windowStart(timestamp, this.offset, this.slide);
    }
    const wm = this.timers.currentWatermark;
    const lateness = this.lateness;
    const firstWindowMax = sliceStart - (this.slicesPerWindow - 1) * this.slide + this.size - 1;
    // This key's windows are late or fired as at the old subtask that held its key group, which
    // may have been ahead of this one; the slice's windows are still scheduled by this one's.
    const restored = this.restored;
    const keyWm = restored !== undefined && firstWindowMax <= restored.max ? Math.max(wm, restored.of(this.currentKeyGroup())) : wm;
    // Windows holding this slice start at sliceStart - k*slide; the last one ends latest.
    if (sliceStart + this.size - 1 + lateness <= keyWm) {
      // Every window of this record is past its cleanup time: the record is late.
      if (timestamp + lateness <= keyWm) {
        if (this.spec.lateDataTag) this.output.collectSide(this.spec.lateDataTag.id, value, timestamp);
        else this.numLateRecordsDropped++;
      }
      return;
    }
    let slice = this.slices.get(sliceStart);
    if (slice === undefined) {
      slice = this.slices.getOrCreate(sliceStart);
      this.scheduleWindowsOf(sliceStart, Math.max(wm, this.firedUpTo));
    }
    const state = this.state;
    state.setCurrentNamespace(slice.namespace);
    const acc = state.getAccumulator();
    if (acc === undefined) this.slices.firstRecord(slice, this.backend.currentKeyRef());
    state.updateAccumulator(this.agg.add(value, acc === undefined ? this.agg.createAccumulator() : acc));
    if (firstWindowMax > keyWm) return; // no window of this slice has fired yet
    // Late firings of the windows already fired but not yet cleaned up, as EventTimeTrigger
    // does; latest window first, the order in which the sliding assigner lists them.
    for (let k = 0; k < this.slicesPerWindow; k++) {
      const start = sliceStart - k * this.slide;
      const max = start + this.size - 1;
      if (max <= keyWm && max + lateness > keyWm) this.fireKey(new TimeWindow(start, start + this.size), key);
    }
  }

  /** A new slice: its windows that are not past cleanup fire and clean up at their times. */
  private scheduleWindowsOf(sliceStart: number, wm: number): void {
    for (let k = 0; k < this.slicesPerWindow; k++) {
      const start = sliceStart - k * this.slide;
      const max = start + this.size - 1;
      if (max + this.lateness <= wm) continue;
      if (max > wm) this.schedule.add(max, 'fire', start);
      // Without lateness the firing is also the cleanup (as the general operator's one timer).
      if (this.lateness > 0) this.schedule.add(max + this.lateness, 'cleanup', start);
    }
  }

  /** The windows a watermark fires (or cleans up) read every key of their slices: a disk backend fetches them first. */
  override prefetchEventTimers(watermark: number): Promise<void> | undefined {
    if (!this.backend.prefetches) return undefined;
    const keys: KeyRef[] = [];
    for (const start of this.schedule.dueStarts(watermark)) this.slices.keysOf(start, start + this.size, keys);
    return keys.length === 0 ? undefined : this.backend.prefetchRefs(keys);
  }

  override processWatermark(timestamp: number, _input: number): void {
    this.timers.advanceWatermark(timestamp); // fires nothing (no keyed timers), keeps currentWatermark
    for (let e = this.schedule.popDue(timestamp); e !== undefined; e = this.schedule.popDue(timestamp)) {
      if (e.kind === 'fire') this.fireWindow(e.start);
      else this.cleanupWindow(e.start);
    }
    if (this.restored !== undefined && timestamp >= this.restored.max) this.restored = undefined;
    this.output.emitWatermark(timestamp);
  }

  /** Fires window [start, start + size) for every key it holds; without lateness, also its cleanup. */
  private fireWindow(start: number): void {
    const window = new TimeWindow(start, start + this.size);
    const wk = this.windowKeys;
    this.slices.collect(start, window.end, wk, this.agg);
    const clear = this.lateness === 0 ? this.spec.fn.process?.fn.clear : undefined;
    // Only windows some key group fired before the restore need a look at each key's group.
    const restored = this.restored !== undefined && window.maxTimestamp() <= this.restored.max ? this.restored : undefined;
    for (let i = 0; i < wk.keys.length; i++) {
      const key = wk.keys[i]!;
      if (restored !== undefined && window.maxTimestamp() <= restored.of(this.keyGroupOf(key))) continue;
      this.backend.setCurrentKeyRef(key);
      const acc = wk.accs[i];
      if (acc !== NO_ACCUMULATOR) this.emit(window, key.key, this.agg.getResult(acc));
      if (clear) this.clearKey(window);
    }
    if (this.lateness === 0) this.slices.drop(start);
  }

  /** Allowed lateness is over: no window needs the window's first slice any more. */
  private cleanupWindow(start: number): void {
    const p = this.spec.fn.process;
    if (p?.fn.clear) {
      const window = new TimeWindow(start, start + this.size);
      const wk = this.windowKeys;
      this.slices.collect(start, window.end, wk);
      for (let i = 0; i < wk.keys.length; i++) {
        this.backend.setCurrentKeyRef(wk.keys[i]!);
        this.clearKey(window);
      }
    }
    this.slices.drop(start);
  }

  private keyGroupOf(ref: KeyRef): number {
    return ref.keyGroup >= 0 ? ref.keyGroup : keyGroupFor(ref.key, this.backend.maxParallelism);
  }

  private currentKeyGroup(): number {
    return this.backend.currentKeyView().keyGroup;
  }

  private clearKey(window: TimeWindow): void {
    this.ctx.window_ = window;
    this.spec.fn.process?.fn.clear?.(this.ctx);
  }

  /** Late firing for one key: merges its accumulators of the window's slices. */
  private fireKey(window: TimeWindow, key: KeyValue): void {
    let acc: unknown;
    let any = false;
    for (let start = window.start; start < window.end; start += this.slide) {
      const sliceAcc = this.slices.accumulator(start);
      if (sliceAcc === undefined) continue;
      acc = this.agg.merge(any ? acc : this.agg.createAccumulator(), copyOf(sliceAcc));
      any = true;
    }
    if (any) this.emit(window, key, this.agg.getResult(acc));
  }

  private emit(window: TimeWindow, key: KeyValue, result: unknown): void {
    this.outputTimestamp = window.maxTimestamp();
    const p = this.spec.fn.process;
    if (!p) {
      this.collect(result);
      return;
    }
    this.ctx.window_ = window;
    if (p.keyed) p.fn.process(key, this.ctx, [result], this);
    else p.fn.process(this.ctx, [result], this);
  }

  collect(value: unknown): void {
    this.output.collect(value, this.outputTimestamp);
  }

  // This operator registers no keyed timers (its process function has no timer service).
  onEventTime(): void {}
  onProcessingTime(): void {}
}
