/**
 * Sliding event-time windows with an AggregateFunction, computed from slices: each record
 * updates the accumulator of the one slice (slide-long pane) it falls in, and a window's
 * result merges its size/slide slice accumulators when it fires. One state update per
 * record instead of one per window (Flink SQL's window slicing, here for DataStream).
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
import type { HeapAggregatingState } from '../../state/heap/heap-states.ts';
import type { RecordBatch } from '../../stream-element.ts';
import type { Timer } from '../../task/internal-timer-service.ts';
import { KeyedOperator } from '../keyed-operator.ts';
import { StreamingRuntimeContext } from '../streaming-runtime-context.ts';
import { closeFunction, openFunction } from '../stream-operator.ts';
import { WindowContext } from './window-trigger-context.ts';

export class SlicingWindowOperator extends KeyedOperator implements Collector<unknown> {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly slicesPerWindow: number;
  private readonly agg: AggregateFunction<unknown, unknown, unknown>;
  private slices!: HeapAggregatingState<unknown, unknown, unknown>;
  private ctx!: WindowContext;
  private readonly sliceIds = new Map<number, string>();
  private outputTimestamp = NaN;
  numLateRecordsDropped = 0;

  constructor(private readonly spec: WindowSpec) {
    super();
    const assigner = spec.assigner as unknown as SlidingEventTimeWindows;
    this.size = assigner.size;
    this.slide = assigner.slide;
    this.offset = assigner.offset;
    this.slicesPerWindow = this.size / this.slide;
    if (spec.fn.kind !== 'aggregate') throw new Error('internal: slicing needs an aggregate function');
    this.agg = spec.fn.aggregate;
  }

  override async open(): Promise<void> {
    super.open();
    this.slices = this.backend.getAggregatingState(new AggregatingStateDescriptor('window-slices', this.agg)) as HeapAggregatingState<unknown, unknown, unknown>;
    this.ctx = new WindowContext(this.backend, this.timers, this.output);
    await openFunction(this.spec.fn.process?.fn, new StreamingRuntimeContext(this.setup));
  }

  override async close(): Promise<void> {
    await closeFunction(this.spec.fn.process?.fn);
  }

  /** Slice namespaces, cached: records and firings touch the same few slices over and over. */
  private sliceId(start: number): string {
    let id = this.sliceIds.get(start);
    if (id === undefined) {
      if (this.sliceIds.size > 4 * this.slicesPerWindow) this.sliceIds.clear();
      id = `${start}:${start + this.slide}`;
      this.sliceIds.set(start, id);
    }
    return id;
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) {
      this.setKeyOf(values[i], 0);
      this.processElement(values[i], timestamps[i]!);
    }
  }

  private processElement(value: unknown, timestamp: number): void {
    if (!Number.isFinite(timestamp)) {
      throw new Error('SlidingEventTimeWindows got a record without an event timestamp; assign timestamps with a WatermarkStrategy first');
    }
    const sliceStart = TimeWindow.windowStart(timestamp, this.offset, this.slide);
    const wm = this.timers.currentWatermark;
    const lateness = this.spec.allowedLatenessMs;
    // Windows holding this slice start at sliceStart - k*slide; the last one ends latest.
    const lastWindowMax = sliceStart + this.size - 1;
    if (lastWindowMax + lateness <= wm) {
      // Every window of this record is past its cleanup time: the record is late.
      if (timestamp + lateness <= wm) {
        if (this.spec.lateDataTag) this.output.collectSide(this.spec.lateDataTag.id, value, timestamp);
        else this.numLateRecordsDropped++;
      }
      return;
    }
    this.slices.setCurrentNamespace(this.sliceId(sliceStart));
    const wasEmpty = this.slices.addAndReportEmpty(value);
    const firstWindowMax = sliceStart - (this.slicesPerWindow - 1) * this.slide + this.size - 1;
    if (!wasEmpty && firstWindowMax > wm) return; // fast path: timers exist, nothing fires yet
    // Latest window first, the order in which the sliding assigner lists them.
    for (let k = 0; k < this.slicesPerWindow; k++) {
      const start = sliceStart - k * this.slide;
      const window = new TimeWindow(start, start + this.size);
      const max = window.maxTimestamp();
      if (max + lateness <= wm) continue; // already cleaned up
      if (max <= wm) {
        this.fire(window); // late firing, as EventTimeTrigger does
      } else {
        this.timers.registerEventTimeTimer(window.id, max);
      }
      if (lateness > 0) this.timers.registerEventTimeTimer(window.id, max + lateness);
    }
  }

  /** Emits the window's result from its slices, if it has any. */
  private fire(window: TimeWindow): void {
    let acc: unknown;
    let any = false;
    for (let start = window.start; start < window.end; start += this.slide) {
      this.slices.setCurrentNamespace(this.sliceId(start));
      const sliceAcc = this.slices.getAccumulator();
      if (sliceAcc === undefined) continue;
      // merge may reuse either argument: hand it a copy, never the stored slice.
      const copy = typeof sliceAcc === 'object' && sliceAcc !== null ? structuredClone(sliceAcc) : sliceAcc;
      acc = this.agg.merge(any ? acc : this.agg.createAccumulator(), copy);
      any = true;
    }
    if (!any) return;
    const result = this.agg.getResult(acc);
    this.outputTimestamp = window.maxTimestamp();
    const p = this.spec.fn.process;
    if (!p) {
      this.collect(result);
      return;
    }
    this.ctx.window_ = window;
    if (p.keyed) p.fn.process(this.backend.getCurrentKey(), this.ctx, [result], this);
    else p.fn.process(this.ctx, [result], this);
  }

  collect(value: unknown): void {
    this.output.collect(value, this.outputTimestamp);
  }

  onEventTime(timer: Timer): void {
    const window = TimeWindow.fromId(timer.namespace);
    const max = window.maxTimestamp();
    if (timer.time === max) this.fire(window);
    if (timer.time === max + this.spec.allowedLatenessMs) {
      // No later window holds the window's first slice; drop it.
      this.slices.setCurrentNamespace(this.sliceId(window.start));
      this.slices.clear();
      const p = this.spec.fn.process;
      if (p?.fn.clear) {
        this.ctx.window_ = window;
        p.fn.clear(this.ctx);
      }
    }
  }

  onProcessingTime(): void {}
}
