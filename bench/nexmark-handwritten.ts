/**
 * Nexmark q0, q1, q2, q5, q7 as hand-written plain TypeScript loops: the baseline the
 * runtime is measured against. Events are generated in batches into one reused array,
 * as the runtime's Nexmark source does, and every output row is folded into the
 * query's count and checksum (src/connectors/nexmark/query-sink.ts, the same fold the
 * runtime's sink does: bench/support/nexmark-checksum.ts), so V8 cannot drop the work
 * and results can be compared with the runtime's.
 *
 * Run alone: node --import tsx bench/nexmark-handwritten.ts [--events N] [--rate EPS] [--batch N]
 */
import { NEXMARK_QUERIES, createReferenceQuery, nexmarkConfig, nexmarkEvents } from '../src/connectors/nexmark/index.ts';
import type { NexmarkEvent, NexmarkOptions, NexmarkQueryName } from '../src/connectors/nexmark/index.ts';
import type { QueryOutput } from './support/nexmark-checksum.ts';
import { intFlag, isMain, numberFlag } from './support/args.ts';
import { fmtRate, machineLine } from './support/report.ts';

export interface HandwrittenOptions extends NexmarkOptions {
  /** Events per generated batch; the runtime's default batch size is 1024. */
  batchSize?: number;
}

export interface HandwrittenResult extends QueryOutput {
  eventsPerSecond: number;
  seconds: number;
  /** Events per second of this process's CPU time: per-core speed, robust to a busy machine. */
  eventsPerCpuSecond: number;
}

function measure(events: number, started: number, cpu0: NodeJS.CpuUsage, count: number, checksum: number): HandwrittenResult {
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { eventsPerSecond: events / seconds, count, checksum, seconds, eventsPerCpuSecond: events / cpuSeconds };
}

export async function runHandwritten(
  query: NexmarkQueryName, events: number, options: HandwrittenOptions = {},
): Promise<HandwrittenResult> {
  const { batchSize = 1024, ...nexmark } = options;
  if (!(Number.isSafeInteger(events) && events >= 0)) throw new RangeError(`events must be a non-negative integer, got ${events}`);
  if (!(Number.isSafeInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const config = nexmarkConfig(nexmark);
  const q = createReferenceQuery(query);
  const batch: NexmarkEvent[] = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < events; i += batchSize) {
    q.process(batch, nexmarkEvents(i, Math.min(batchSize, events - i), config, batch));
  }
  q.finish();
  return measure(events, started, cpu0, q.sink.count, q.sink.checksum);
}

/** Generation alone (no query), the floor under every query's cost. */
export async function runGeneratorOnly(events: number, options: HandwrittenOptions = {}): Promise<HandwrittenResult> {
  const { batchSize = 1024, ...nexmark } = options;
  const config = nexmarkConfig(nexmark);
  const batch: NexmarkEvent[] = [];
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < events; i += batchSize) {
    const n = nexmarkEvents(i, Math.min(batchSize, events - i), config, batch);
    sink = (sink + n + batch[n - 1].type.length) >>> 0; // touch the output
  }
  return measure(events, started, cpu0, events, sink);
}

async function main(): Promise<void> {
  const events = intFlag('events', 10_000_000);
  const options: HandwrittenOptions = { firstEventRate: numberFlag('rate', 10_000_000), batchSize: intFlag('batch', 1024) };
  // Warm the JIT on a short run of each path first, so the table measures steady state.
  const warm = Math.min(events, 500_000);
  await runGeneratorOnly(warm, options);
  for (const q of NEXMARK_QUERIES) await runHandwritten(q, warm, options);

  const rows: string[][] = [['query', 'events/s', 'events/cpu-s', 'outputs', 'checksum', 'seconds']];
  const gen = await runGeneratorOnly(events, options);
  rows.push(['generate', fmtRate(gen.eventsPerSecond), fmtRate(gen.eventsPerCpuSecond), '-', '-', gen.seconds.toFixed(2)]);
  for (const q of NEXMARK_QUERIES) {
    const r = await runHandwritten(q, events, options);
    rows.push([q, fmtRate(r.eventsPerSecond), fmtRate(r.eventsPerCpuSecond), String(r.count), String(r.checksum), r.seconds.toFixed(2)]);
  }
  console.log(`Nexmark hand-written loops: ${events} events, rate ${options.firstEventRate} events/s of event time, batch ${options.batchSize}`);
  console.log(machineLine());
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
