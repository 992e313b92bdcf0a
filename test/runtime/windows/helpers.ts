/** Shared helpers of the window tests: a small event type, running a job, and capturing output timestamps. */
import assert from 'node:assert/strict';
import { defineJob, ProcessFunction } from '../../../src/api/index.ts';
import type { Collector, DataStream, ProcessContext, StreamExecutionEnvironment } from '../../../src/api/index.ts';
import { runJob, VirtualClock } from '../../../src/runtime/index.ts';
import { backendConfig } from '../../support/state-backend.ts';

/** A keyed event: key, value, event time (ms). */
export interface Ev {
  k: string;
  v: number;
  t: number;
}

export const ev = (k: string, v: number, t: number): Ev => ({ k, v, t });

/** A record with the event timestamp it carried out of an operator. */
export interface Stamped<T> {
  value: T;
  ts: number | undefined;
}

/** Pairs each record with its timestamp (window results carry window.maxTimestamp()). */
export function stamped<T>(stream: DataStream<T>): DataStream<Stamped<T>> {
  return stream.process(
    new (class extends ProcessFunction<T, Stamped<T>> {
      processElement(value: T, ctx: ProcessContext, out: Collector<Stamped<T>>): void {
        out.collect({ value, ts: ctx.timestamp() });
      }
    })(),
  );
}

export interface RunOptions {
  parallelism?: number;
  config?: Record<string, string>;
}

/** Runs the job on a VirtualClock, asserts it finished, and returns what each collect sink got. */
export async function run(main: (env: StreamExecutionEnvironment) => void, options: RunOptions = {}): Promise<(name: string) => unknown[]> {
  const result = await runJob(defineJob(main), { parallelism: options.parallelism ?? 1, clock: new VirtualClock(), config: { ...backendConfig(), ...options.config } });
  assert.equal(result.state, 'FINISHED', result.error?.message);
  return (name) => result.collected.get(name) ?? [];
}

/** Sorts a copy by the JSON of each record (for comparing results whose order is not defined). */
export function sorted<T>(values: readonly T[]): T[] {
  return [...values].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}

/**
 * The same records, in the same order per key. Which key's window fires first at one watermark
 * is not defined (in Flink neither), so only the order within a key is checked. The key is the
 * first character of each string.
 */
export function assertPerKeyOrder(actual: readonly unknown[], expected: readonly string[]): void {
  const strings = actual as readonly string[];
  assert.deepEqual(sorted(strings), sorted(expected));
  for (const k of new Set(expected.map((s) => s[0]))) {
    assert.deepEqual(
      strings.filter((s) => s[0] === k),
      expected.filter((s) => s[0] === k),
      `records of key ${k}`,
    );
  }
}
