/**
 * Test sources and watermark strategies for deterministic event-time and processing-time
 * tests. TimedSource emits each element at a chosen virtual processing time (the executor's
 * VirtualClock jumps straight to it), so records, periodic watermarks and processing-time
 * timers interleave the same way on every run.
 */
import { WatermarkStrategy } from '../../src/api/watermarks.ts';
import { ScriptedSource } from './scripted-source.ts';
import type { ScriptedElement } from './scripted-source.ts';

export type TimedElement<T> = ScriptedElement<T>;

/** A bounded source emitting each element at its `at` processing time; ends at `endAt` (default: after the last element). */
export class TimedSource<T> extends ScriptedSource<T> {}

/** `{ at, value }`: the element `value` emitted at processing time `at`. */
export function at<T>(time: number, value: T, ts?: number): TimedElement<T> {
  return ts === undefined ? { at: time, value } : { at: time, value, ts };
}

/**
 * A punctuated strategy: the event timestamp is `timestampOf(e)`, and right after each event
 * the watermark `watermarkAfter(e, maxTimestampSoFar)` is emitted when it returns a number
 * (watermarks never go back). No periodic watermarks are needed.
 */
export function punctuated<T>(timestampOf: (e: T) => number, watermarkAfter: (e: T, maxTs: number) => number | undefined): WatermarkStrategy<T> {
  return WatermarkStrategy.forGenerator<T>(() => {
    let maxTs = -Infinity;
    return {
      onEvent(e, ts, out) {
        maxTs = Math.max(maxTs, ts);
        const wm = watermarkAfter(e, maxTs);
        if (wm !== undefined) out.emitWatermark(wm);
      },
      onPeriodicEmit() {},
    };
  }).withTimestampAssigner((e) => timestampOf(e));
}

/**
 * Bounded out-of-orderness, but emitted after every event instead of periodically: each
 * record is followed by the watermark maxTs - outOfOrdernessMs - 1 (Flink's formula).
 */
export function watermarkPerEvent<T>(timestampOf: (e: T) => number, outOfOrdernessMs: number): WatermarkStrategy<T> {
  return punctuated(timestampOf, (_e, maxTs) => maxTs - outOfOrdernessMs - 1);
}
