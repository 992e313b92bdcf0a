/**
 * Throughput of a keyBy shuffle between two TaskManager processes (issue 3's target:
 * at least 1M records/s): a JobManager here, two `weir taskmanager` child processes with
 * one slot each, parallelism 2, so half of the records cross TCP in each direction. The
 * sinks count and checksum what they receive; a lost or doubled record fails the bench.
 * Then the end-to-end latency at half that rate (issue 3's target: p99 < 10 ms at buffer
 * timeout 0), measured against each record's intended send time (bench/latency-job.ts).
 *
 *   node --import tsx bench/cluster-shuffle.ts [--records 2000000]
 */
import { LATENCY } from './latency-job.ts';
import type { SinkLatency } from './latency-job.ts';
import { RECEIVED, expectedTotals } from './shuffle-job.ts';
import type { ReceivedTotals } from './shuffle-job.ts';
import { intFlag, isMain } from './support/args.ts';
import { LatencyHistogram, describeLatency } from './support/latency-histogram.ts';
import type { LatencySummary } from './support/latency-histogram.ts';
import { describeTailCauses, tailCauses } from './support/tail-causes.ts';
import type { TailCauses } from './support/tail-causes.ts';
import type { JobMaster } from '../src/runtime/jobmanager/job-master.ts';
import { fmtRate, machineLine, verdict } from './support/report.ts';
import { onTwoTaskManagers } from './support/two-taskmanagers.ts';

export interface ShuffleBenchResult {
  records: number;
  recordsPerSecond: number;
  /** What each sink subtask (one per TaskManager) counted. */
  received: ReceivedTotals[];
  /** Empty when the sinks together received every record sent exactly once; else why not. */
  mismatch: string;
}

export async function runClusterShuffleBench(records = 2_000_000): Promise<ShuffleBenchResult> {
  const { result, seconds } = await onTwoTaskManagers('bench/shuffle-job.ts', { args: { records: String(records) }, bufferTimeout: '100ms' });
  const received = (result.collected.get(RECEIVED) ?? []) as ReceivedTotals[];
  const got = { count: 0, checksum: 0 };
  for (const r of received) {
    got.count += r.count;
    got.checksum = (got.checksum + r.checksum) >>> 0;
  }
  const expected = expectedTotals(records);
  const mismatch =
    received.length !== 2 ? `expected totals from 2 sink subtasks, got ${received.length}`
    : got.count !== expected.count || got.checksum !== expected.checksum
      ? `sinks received ${got.count} records (checksum ${got.checksum}), sent ${expected.count} (checksum ${expected.checksum})`
      : '';
  return { records, recordsPerSecond: records / seconds, received: received.sort((x, y) => x.subtask - y.subtask), mismatch };
}

export interface LatencyBenchResult {
  bufferTimeout: string;
  ratePerSecond: number;
  warmupSeconds: number;
  latency: LatencySummary;
  /** What the records at or above the p99 went through. */
  tail: TailCauses;
  /** Each completed checkpoint's longest barrier alignment and synchronous part, ms (none without checkpoints). */
  checkpoints: { alignmentMs: number; syncMs: number }[];
  /** Empty when every record sent was received; else why not. */
  mismatch: string;
}

/**
 * End-to-end latency through a keyBy between two TaskManagers at a fixed rate, against
 * each record's intended send time; the first `warmupSeconds` of records are not counted.
 */
export async function runClusterLatencyBench(ratePerSecond: number, bufferTimeout: string, seconds = 4, warmupSeconds = 1, config: Record<string, string> = {}): Promise<LatencyBenchResult> {
  const records = Math.round(ratePerSecond * seconds);
  const args = { rate: String(ratePerSecond), records: String(records), warmupSeconds: String(warmupSeconds), slowMs: '1' };
  let master: JobMaster | undefined;
  const { result } = await onTwoTaskManagers('bench/latency-job.ts', { args, bufferTimeout, config, submitted: (m) => (master = m) });
  const checkpoints = master!.checkpoints.stats
    .entries()
    .filter((e) => e.status === 'COMPLETED')
    .map((e) => ({ alignmentMs: e.alignmentDurationMaxMs, syncMs: e.syncDurationMaxMs }));
  const sinks = (result.collected.get(LATENCY) ?? []) as SinkLatency[];
  const histogram = new LatencyHistogram();
  let received = 0;
  for (const s of sinks) {
    histogram.merge(LatencyHistogram.fromJSON(s.histogram));
    received += s.received;
  }
  const mismatch = received === records ? '' : `sinks received ${received} of ${records} records`;
  const latency = histogram.summary();
  return { bufferTimeout, ratePerSecond, warmupSeconds, latency, tail: tailCauses(sinks.map((s) => s.tail), latency.p99Ms), checkpoints, mismatch };
}

/** Issue 3's targets are for exactly this setup: a keyBy shuffle between two TaskManager processes. */
export const SHUFFLE_TARGET_RECORDS_PER_SECOND = 1_000_000;
export const LATENCY_TARGET_P99_MS = 10;

export function shuffleReport(s: ShuffleBenchResult): string[] {
  const perSubtask = s.received.map((r) => `subtask ${r.subtask}: ${r.count}`).join(', ');
  return [
    `keyBy shuffle between 2 TaskManager processes: ${fmtRate(s.recordsPerSecond)} records/s over ${s.records} records, job start included ` +
      `(target ${fmtRate(SHUFFLE_TARGET_RECORDS_PER_SECOND)}: ${verdict(s.recordsPerSecond >= SHUFFLE_TARGET_RECORDS_PER_SECOND)})`,
    s.mismatch === '' ? `  sinks received every record exactly once (${perSubtask})` : `  MISMATCH: ${s.mismatch} (${perSubtask})`,
  ];
}

export function latencyReport(l: LatencyBenchResult): string[] {
  const target = l.bufferTimeout === '0' ? ` (target p99 < ${LATENCY_TARGET_P99_MS}ms: ${verdict(l.latency.p99Ms < LATENCY_TARGET_P99_MS)})` : '';
  const lines = [
    `  latency at ${fmtRate(l.ratePerSecond)} records/s, buffer timeout ${l.bufferTimeout}, against the intended send time, ` +
      `after ${l.warmupSeconds}s of warm-up: ${describeLatency(l.latency)}${target}`,
    `    ${describeTailCauses(l.tail)}`,
  ];
  if (l.mismatch !== '') lines.push(`  MISMATCH: ${l.mismatch}`);
  return lines;
}

if (isMain(import.meta.url)) {
  const shuffle = await runClusterShuffleBench(intFlag('records', 2_000_000));
  console.log(machineLine());
  for (const line of shuffleReport(shuffle)) console.log(line);
  const half = Math.round(shuffle.recordsPerSecond / 2);
  let failed = shuffle.mismatch !== '';
  for (const timeout of ['0', '100ms']) {
    const l = await runClusterLatencyBench(half, timeout);
    for (const line of latencyReport(l)) console.log(line);
    failed ||= l.mismatch !== '';
  }
  if (failed) process.exitCode = 1;
}
