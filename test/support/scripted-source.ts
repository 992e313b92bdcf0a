/**
 * A bounded test source that emits each element at a chosen (virtual) processing time,
 * optionally with an event timestamp, and ends at a chosen time. With a VirtualClock the
 * executor jumps straight to each emission time, so the interleaving is deterministic.
 */
import type { Source, SourceOutput, SourcePoll, SourceReader } from '../../src/api/source.ts';

export interface ScriptedElement<T> {
  /** Processing time (ms) at which the element is emitted; elements must be in `at` order. */
  at: number;
  value: T;
  /** Event timestamp attached by the source (collectWithTimestamp), if any. */
  ts?: number;
}

export class ScriptedSource<T> implements Source<T> {
  readonly boundedness = 'BOUNDED';
  readonly maxParallelism = 1;

  /** `endAt`: processing time the source ends at (default: right after the last element). */
  constructor(
    private readonly elements: readonly ScriptedElement<T>[],
    private readonly endAt = -Infinity,
  ) {}

  createReader(ctx: { currentProcessingTime(): number }): SourceReader<T> {
    const { elements, endAt } = this;
    let next = 0;
    return {
      pollNext(output: SourceOutput<T>, maxRecords: number): SourcePoll {
        const now = ctx.currentProcessingTime();
        let emitted = 0;
        while (next < elements.length && elements[next]!.at <= now && emitted < maxRecords) {
          const e = elements[next++]!;
          if (e.ts === undefined) output.collect(e.value);
          else output.collectWithTimestamp(e.value, e.ts);
          emitted++;
        }
        if (next < elements.length) return elements[next]!.at <= now ? 'more' : elements[next]!.at;
        return endAt > now ? endAt : 'end';
      },
    };
  }
}

/** Elements at times 0, step, 2*step, ...; each value also its event timestamp when `ts` maps it. */
export function spaced<T>(values: readonly T[], step: number, ts?: (v: T) => number): ScriptedElement<T>[] {
  return values.map((value, i) => ({ at: i * step, value, ...(ts ? { ts: ts(value) } : {}) }));
}
