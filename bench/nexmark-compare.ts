/**
 * The runtime against the hand-written loop, fairly: both sides first warm up (JIT,
 * generator, inline caches) on a shorter run, then they alternate for several rounds,
 * the order flipping each round so neither always runs on the other's warmed heap. Each
 * side's figure is the median over the rounds (min and max beside it); the ratio is that
 * of the medians. Every run's count and checksum must equal the first hand-written run's.
 */
import { runHandwritten } from './nexmark-handwritten.ts';
import { runNexmarkOnRuntime } from './nexmark-runtime.ts';
import type { NexmarkQuery } from './nexmark-runtime.ts';
import { describeOutput, sameOutput } from './support/nexmark-checksum.ts';
import type { QueryOutput } from './support/nexmark-checksum.ts';
import { spread } from './support/report.ts';
import type { Spread } from './support/report.ts';

export interface NexmarkCompareOptions {
  events: number;
  /** The generator's events per second of event time. */
  rate: number;
  rounds: number;
  /** Events of each side's warm-up run (not measured). */
  warmupEvents: number;
}

export interface NexmarkComparison {
  query: NexmarkQuery;
  /** Events per CPU-second of this process, over the rounds. */
  runtime: Spread;
  handwritten: Spread;
  /** Median runtime / median hand-written. */
  ratio: number;
  /** The hand-written loop's output (every run is checked against it). */
  output: QueryOutput;
  /** Why the outputs differ, one line per differing run; empty when all agree. */
  mismatches: string[];
}

interface Side {
  name: 'runtime' | 'hand-written';
  run: (events: number) => Promise<QueryOutput & { eventsPerCpuSecond: number }>;
}

export async function compareNexmark(query: NexmarkQuery, options: NexmarkCompareOptions): Promise<NexmarkComparison> {
  const { events, rate, rounds, warmupEvents } = options;
  const hand: Side = { name: 'hand-written', run: (n) => runHandwritten(query, n, { firstEventRate: rate }) };
  const runtime: Side = { name: 'runtime', run: (n) => runNexmarkOnRuntime(query, n, rate) };
  await hand.run(warmupEvents);
  await runtime.run(warmupEvents);

  const speeds = new Map<Side, number[]>([[hand, []], [runtime, []]]);
  let expected: QueryOutput | undefined;
  const mismatches: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [hand, runtime] : [runtime, hand];
    for (const side of order) {
      const r = await side.run(events);
      speeds.get(side)!.push(r.eventsPerCpuSecond);
      const output = { count: r.count, checksum: r.checksum };
      expected ??= output;
      if (!sameOutput(output, expected)) {
        mismatches.push(`round ${round + 1}: ${side.name} ${describeOutput(output)}, first run ${describeOutput(expected)}`);
      }
    }
  }
  const rt = spread(speeds.get(runtime)!);
  const hw = spread(speeds.get(hand)!);
  return { query, runtime: rt, handwritten: hw, ratio: rt.median / hw.median, output: expected!, mismatches };
}
