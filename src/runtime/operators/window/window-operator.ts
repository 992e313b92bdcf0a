/**
 * Keyed windows, with Flink's WindowOperator semantics: assign -> add to window state ->
 * ask the trigger; cleanup timers at window end + allowed lateness; late records to a
 * side output or dropped; merging assigners (sessions) merge windows and their state.
 */
import { ValueStateDescriptor } from '../../../api/state.ts';
import type { ValueState } from '../../../api/state.ts';
import type { WindowSpec } from '../../../api/transformation.ts';
import { MergingWindowAssigner } from '../../../api/windows/assigners.ts';
import type { TriggerResult } from '../../../api/windows/triggers.ts';
import { EventTimeTrigger } from '../../../api/windows/triggers.ts';
import type { Window } from '../../../api/windows/window.ts';
import type { Collector } from '../../../api/functions.ts';
import { WeirError } from '../../../errors/index.ts';
import type { RecordBatch } from '../../stream-element.ts';
import { copyIfPlainData } from '../../state/plain-data.ts';
import type { Timer } from '../../task/internal-timer-service.ts';
import { KeyedOperator } from '../keyed-operator.ts';
import { StreamingRuntimeContext } from '../streaming-runtime-context.ts';
import { closeFunction, openFunction } from '../stream-operator.ts';
import { MergingWindowSet, windowFromId } from './merging-window-set.ts';
import { applyIncremental, createWindowContents } from './window-contents.ts';
import type { WindowContents } from './window-contents.ts';
import { WindowContext } from './window-trigger-context.ts';

export class WindowOperator extends KeyedOperator implements Collector<unknown> {
  private contents!: WindowContents;
  private ctx!: WindowContext;
  /** Merging assigners: the ids of the current key's active windows. */
  private mergingState: ValueState<string[]> | undefined;
  private readonly merging: MergingWindowAssigner<unknown, Window> | undefined;
  private readonly eventTime: boolean;
  private readonly assignerContext = { getCurrentProcessingTime: () => this.setup.processingTime.now() };
  private outputTimestamp = NaN;
  numLateRecordsDropped = 0;
  private readonly cleanupIsTriggerTimer: boolean;
  protected override readonly timerServiceName = 'window-timers';

  constructor(private readonly spec: WindowSpec) {
    super();
    const problem = spec.assigner.validate();
    if (problem) throw new WeirError('INVALID_WINDOW', `${spec.assigner.toString()}: ${problem}`, false);
    this.merging = spec.assigner instanceof MergingWindowAssigner ? spec.assigner : undefined;
    this.eventTime = spec.assigner.isEventTime();
    this.cleanupIsTriggerTimer = this.eventTime && spec.allowedLatenessMs === 0 && spec.trigger instanceof EventTimeTrigger;
    if (this.merging && !spec.trigger.canMerge()) {
      throw new WeirError('INVALID_WINDOW', `${spec.trigger.toString()} cannot be used with merging windows (${spec.assigner.toString()})`, false);
    }
  }

  private get processFn() {
    return this.spec.fn.process;
  }

  override async open(): Promise<void> {
    await super.open();
    this.contents = createWindowContents(this.backend, this.spec.fn, this.spec.evictor !== undefined);
    this.ctx = new WindowContext(this.backend, this.timers, this.output);
    if (this.merging) this.mergingState = this.backend.getValueState(new ValueStateDescriptor<string[]>('merging-window-set'));
    await openFunction(this.processFn?.fn, new StreamingRuntimeContext(this.setup));
  }

  override async close(): Promise<void> {
    await closeFunction(this.processFn?.fn);
  }

  private cleanupTime(w: Window): number {
    return this.eventTime ? w.maxTimestamp() + this.spec.allowedLatenessMs : w.maxTimestamp();
  }

  private isWindowLate(w: Window): boolean {
    return this.eventTime && this.cleanupTime(w) <= this.timers.currentWatermark;
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], 0);
      this.processElement(values[i], timestamps[i]!);
    }
  }

  private processElement(value: unknown, timestamp: number): void {
    const windows = this.spec.assigner.assignWindows(value, timestamp, this.assignerContext);
    let skipped = true;
    let added = 0;
    const mergingSet = this.mergingState ? new MergingWindowSet(this.merging!, this.mergingState) : undefined;
    for (const assigned of windows) {
      const window = mergingSet ? mergingSet.addWindow(assigned, (result, merged) => this.merge(result, merged)) : assigned;
      if (this.isWindowLate(window)) {
        mergingSet?.retireWindow(window);
        continue;
      }
      skipped = false;
      this.contents.state.setCurrentNamespace(window.id);
      this.contents.add(added++ > 0 && this.contents.keepsValues ? copyIfPlainData(value) : value, timestamp);
      this.ctx.window_ = window;
      this.act(this.spec.trigger.onElement(value, timestamp, window, this.ctx), window);
      // EventTimeTrigger on a window that is not late has just set the timer at maxTimestamp,
      // which without allowed lateness is also the cleanup time.
      if (!this.cleanupIsTriggerTimer) this.registerCleanupTimer(window);
    }
    mergingSet?.persist();
    if (skipped && this.eventTime && timestamp + this.spec.allowedLatenessMs <= this.timers.currentWatermark) {
      if (this.spec.lateDataTag) this.output.collectSide(this.spec.lateDataTag.id, value, timestamp);
      else this.numLateRecordsDropped++;
    }
  }

  /** Moves the state and timers of `merged` into `result`. */
  private merge(result: Window, merged: Window[]): void {
    this.ctx.window_ = result;
    this.ctx.mergedWindows = merged;
    this.spec.trigger.onMerge(result, this.ctx);
    for (const m of merged) {
      this.ctx.window_ = m;
      this.spec.trigger.clear(m, this.ctx);
      this.deleteCleanupTimer(m);
    }
    this.ctx.mergedWindows = [];
    this.contents.state.mergeNamespaces(result.id, merged.map((m) => m.id));
  }

  private act(result: TriggerResult, window: Window): void {
    if (result === 'CONTINUE') return;
    this.contents.state.setCurrentNamespace(window.id);
    if (result === 'FIRE' || result === 'FIRE_AND_PURGE') this.emit(window);
    if (result === 'PURGE' || result === 'FIRE_AND_PURGE') {
      this.contents.state.setCurrentNamespace(window.id);
      this.contents.state.clear();
    }
  }

  private emit(window: Window): void {
    const evictor = this.spec.evictor;
    let input: unknown[] | undefined;
    if (evictor) {
      const elements = this.contents.elements!();
      if (elements.length === 0) return;
      evictor.evictBefore(elements, window, this.ctx);
      input = elements.length === 0 ? undefined : applyIncremental(this.spec.fn, elements.map((e) => e.value));
      evictor.evictAfter(elements, window, this.ctx);
      this.contents.state.setCurrentNamespace(window.id);
      this.contents.replaceElements!(elements);
    } else {
      input = this.contents.read();
    }
    if (input === undefined) return;
    this.outputTimestamp = window.maxTimestamp();
    this.ctx.window_ = window;
    const p = this.processFn;
    if (!p) {
      for (const v of input) this.collect(v);
    } else if (p.keyed) {
      p.fn.process(this.backend.getCurrentKey(), this.ctx, input, this);
    } else {
      p.fn.process(this.ctx, input, this);
    }
  }

  /** Collector for window results: stamped with the window's max timestamp. */
  collect(value: unknown): void {
    this.output.collect(value, this.outputTimestamp);
  }

  private registerCleanupTimer(w: Window): void {
    const t = this.cleanupTime(w);
    if (t === Infinity) return;
    if (this.eventTime) this.timers.registerEventTimeTimer(w.id, t);
    else this.timers.registerProcessingTimeTimer(w.id, t);
  }

  private deleteCleanupTimer(w: Window): void {
    const t = this.cleanupTime(w);
    if (t === Infinity) return;
    if (this.eventTime) this.timers.deleteEventTimeTimer(w.id, t);
    else this.timers.deleteProcessingTimeTimer(w.id, t);
  }

  onEventTime(timer: Timer): void {
    this.onTimer(timer, true);
  }

  onProcessingTime(timer: Timer): void {
    try {
      this.onTimer(timer, false);
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
  }

  private onTimer(timer: Timer, eventTime: boolean): void {
    const window = windowFromId(timer.namespace);
    const mergingSet = this.mergingState ? new MergingWindowSet(this.merging!, this.mergingState) : undefined;
    // A window merged away since the timer was set has nothing left to do.
    if (mergingSet && !mergingSet.contains(window)) return;
    this.ctx.window_ = window;
    this.contents.state.setCurrentNamespace(window.id);
    // As Flink, the trigger runs whatever the contents (a purging trigger must keep its timers
    // going across an empty interval); emit() skips a window that holds nothing.
    const r = eventTime ? this.spec.trigger.onEventTime(timer.time, window, this.ctx) : this.spec.trigger.onProcessingTime(timer.time, window, this.ctx);
    this.act(r, window);
    if (eventTime === this.eventTime && timer.time === this.cleanupTime(window)) {
      this.contents.state.setCurrentNamespace(window.id);
      this.contents.state.clear();
      this.ctx.window_ = window;
      this.spec.trigger.clear(window, this.ctx);
      this.processFn?.fn.clear?.(this.ctx);
      mergingSet?.retireWindow(window);
    }
    mergingSet?.persist();
  }
}
