/**
 * What checkpoints cost (issue 11's targets): Nexmark q5 and q7 with exactly-once
 * checkpoints every second against none, in one run (throughput ratio, target >= 0.8;
 * checkpoint duration p50/p99; the synchronous pause p99); the cluster latency at half load
 * with and without checkpoints (target p99 < 5 ms in both); and a checkpoint of 1M keys of
 * ValueState: bytes, duration, synchronous part and restore time.
 *
 * Both the Nexmark jobs and the latency job run at parallelism 2 on two TaskManager
 * processes under a JobManager in this process; both arms of a Nexmark comparison must
 * produce the same rows (count and checksum).
 *
 *   node --import tsx bench/checkpointing.ts [--checkpoint-events 8000000] [--keys 1000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, KeyedProcessFunction, ValueStateDescriptor, WatermarkStrategy } from '../src/api/index.ts';
import type { Collector, KeyedProcessContext, RuntimeContext, ValueState } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { Dispatcher } from '../src/runtime/jobmanager/dispatcher.ts';
import type { JobMaster } from '../src/runtime/jobmanager/job-master.ts';
import { runClusterLatencyBench } from './cluster-shuffle.ts';
import { intFlag, isMain } from './support/args.ts';
import { describeLatency } from './support/latency-histogram.ts';
import { describeTailCauses } from './support/tail-causes.ts';
import { describeOutput, NEXMARK_OUTPUT, sameOutput, sumOutputs } from './support/nexmark-checksum.ts';
import type { QueryOutput } from './support/nexmark-checksum.ts';
import { onTwoTaskManagers } from './support/two-taskmanagers.ts';
import { fmtRate, machineLine, spread, verdict } from './support/report.ts';

const THROUGHPUT_RATIO_TARGET = 0.8;
const LATENCY_P99_TARGET_MS = 5;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Every completed checkpoint's duration and synchronous pause, read while the job runs. */
function watchCheckpoints(master: JobMaster): { stop(): { durations: number[]; syncPauses: number[]; failed: number } } {
  const seen = new Map<number, { duration: number; sync: number }>();
  const read = () => {
    for (const e of master.checkpoints.stats.entries()) if (e.status === 'COMPLETED') seen.set(e.id, { duration: e.durationMs, sync: e.syncDurationMaxMs });
  };
  const timer = setInterval(read, 100);
  return {
    stop() {
      clearInterval(timer);
      read();
      return { durations: [...seen.values()].map((s) => s.duration), syncPauses: [...seen.values()].map((s) => s.sync), failed: master.checkpoints.stats.failed };
    },
  };
}

/** One Nexmark run on two TaskManager processes; its output's count and checksum prove the work was done. */
async function nexmarkRun(query: 'q5' | 'q7', events: number, checkpoints: boolean, dir: string) {
  const config: Record<string, string> = checkpoints ? { 'execution.checkpointing.interval': '1s', 'state.checkpoints.dir': dir } : {};
  let watch: ReturnType<typeof watchCheckpoints> | undefined;
  const { result, seconds } = await onTwoTaskManagers('bench/nexmark-job.ts', {
    args: { query, events: String(events), rate: '200000' },
    bufferTimeout: '100ms',
    config,
    submitted: (master) => (watch = watchCheckpoints(master)),
  });
  const cps = watch!.stop();
  return { eventsPerSecond: events / seconds, output: sumOutputs((result.collected.get(NEXMARK_OUTPUT) ?? []) as QueryOutput[]), ...cps };
}

/** Keeps each key's last value: the state the big-state benches checkpoint and restore. */
export class Remember extends KeyedProcessFunction<number, number, never> {
  private last!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.last = ctx.getState(new ValueStateDescriptor<number>('last'));
  }
  processElement(v: number, _ctx: KeyedProcessContext<number>, _out: Collector<never>): void {
    this.last.update(v);
  }
}

/** 1M keys of ValueState in one subtask: one checkpoint's bytes and durations, then a restore from it. */
export async function bigState(keys: number, dir: string) {
  const job = defineJob((env) => {
    env.setParallelism(1);
    // An endless stream over `keys` keys: the job runs until the checkpoint is taken.
    env.fromSource(new DataGeneratorSource((i) => i % keys, Infinity), WatermarkStrategy.noWatermarks<number>(), 'keys').uid('keys').keyBy((k) => k).process(new Remember()).uid('state').sinkTo({ createWriter: () => ({ write: () => {} }) }, 'none').uid('none');
  });
  const config = { 'state.checkpoints.dir': dir, 'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION', 'execution.checkpointing.timeout': '10min' };
  const first = await new Dispatcher().submit(job, { config });
  while ((first.vertexMetrics()[0]?.recordsOut ?? 0) < keys) await new Promise((r) => setTimeout(r, 50));
  const checkpoint = await first.checkpoints.trigger();
  const entry = first.checkpoints.stats.find(checkpoint.id)!;
  first.cancel();
  await first.done;
  const restoreStarted = performance.now();
  const second = await new Dispatcher().submit(job, { config: { ...config, 'execution.savepoint.path': checkpoint.dir } });
  while (!second.allTasksRunning()) await new Promise((r) => setTimeout(r, 10));
  const restoreMs = performance.now() - restoreStarted;
  second.cancel();
  await second.done;
  return { bytes: entry.stateSize, durationMs: entry.durationMs, syncMs: entry.syncDurationMaxMs, asyncMs: entry.asyncDurationMaxMs, restoreMs };
}

/** The report's lines, and every wrong output (a run that lost or doubled work) for the bench to fail on. */
export async function checkpointingReport(events: number, keys: number): Promise<{ lines: string[]; mismatches: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-checkpoints-'));
  const lines: string[] = [];
  const mismatches: string[] = [];
  try {
    lines.push(`checkpoints: Nexmark at parallelism 2 on two TaskManager processes, ${events} events, exactly-once checkpoints every 1s vs none, 2 alternating rounds`);
    for (const query of ['q5', 'q7'] as const) {
      const runs: { off: number[]; on: number[]; durations: number[]; syncs: number[]; failed: number } = { off: [], on: [], durations: [], syncs: [], failed: 0 };
      for (let round = 0; round < 2; round++) {
        const off = await nexmarkRun(query, events, false, dir);
        runs.off.push(off.eventsPerSecond);
        const on = await nexmarkRun(query, events, true, dir);
        if (!sameOutput(on.output, off.output)) mismatches.push(`${query}: ${describeOutput(on.output)} with checkpoints, ${describeOutput(off.output)} without`);
        runs.on.push(on.eventsPerSecond);
        runs.durations.push(...on.durations);
        runs.syncs.push(...on.syncPauses);
        runs.failed += on.failed;
      }
      const ratio = spread(runs.on).median / spread(runs.off).median;
      lines.push(
        `  ${query}: ${fmtRate(spread(runs.on).median)} events/s with checkpoints, ${fmtRate(spread(runs.off).median)} without, ratio ${ratio.toFixed(2)} ` +
          `(target >= ${THROUGHPUT_RATIO_TARGET}: ${verdict(ratio >= THROUGHPUT_RATIO_TARGET)}); ${runs.durations.length} checkpoints, duration p50 ${percentile(runs.durations, 50).toFixed(1)}ms ` +
          `p99 ${percentile(runs.durations, 99).toFixed(1)}ms, synchronous pause p99 ${percentile(runs.syncs, 99).toFixed(2)}ms, ${runs.failed} failed`,
      );
    }
    lines.push(machineLine());
    // One unmeasured run first: the JobManager lives in this process, and its first cluster
    // run compiles its code on the two cores the TaskManagers measure on.
    await runClusterLatencyBench(500_000, '0', 2, 1.5, {});
    for (const interval of [undefined, '1s']) {
      const config: Record<string, string> = interval ? { 'execution.checkpointing.interval': interval, 'state.checkpoints.dir': dir } : {};
      // 1.5s of warm-up holds the first checkpoint, whose code paths run cold; both arms get the same.
      const l = await runClusterLatencyBench(500_000, '0', 5, 1.5, config);
      lines.push(
        `  latency at 500K records/s between 2 TaskManager processes, buffer timeout 0, ${interval ? `checkpoints every ${interval}` : 'no checkpoints'}: ${describeLatency(l.latency)} ` +
          `(target p99 < ${LATENCY_P99_TARGET_MS}ms: ${verdict(l.latency.p99Ms < LATENCY_P99_TARGET_MS)})${l.mismatch ? ` MISMATCH: ${l.mismatch}` : ''}`,
        `    ${describeTailCauses(l.tail)}`,
      );
      if (l.checkpoints.length > 0) {
        const align = l.checkpoints.map((c) => c.alignmentMs);
        const sync = l.checkpoints.map((c) => c.syncMs);
        lines.push(`    ${l.checkpoints.length} checkpoints: barrier alignment max ${Math.max(...align).toFixed(2)}ms (median ${percentile(align, 50).toFixed(2)}ms), synchronous part max ${Math.max(...sync).toFixed(2)}ms`);
      }
      if (l.mismatch) mismatches.push(`latency ${interval ? `with checkpoints every ${interval}` : 'without checkpoints'}: ${l.mismatch}`);
    }
    lines.push(machineLine());
    const big = await bigState(keys, dir);
    lines.push(
      `  ${fmtRate(keys)} keys of ValueState in one subtask: checkpoint ${(big.bytes / 1024 / 1024).toFixed(1)} MB in ${big.durationMs.toFixed(0)}ms ` +
        `(synchronous ${big.syncMs.toFixed(0)}ms, asynchronous ${big.asyncMs.toFixed(0)}ms), restore to running in ${big.restoreMs.toFixed(0)}ms`,
    );
    lines.push(machineLine());
    return { lines, mismatches };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const { lines, mismatches } = await checkpointingReport(intFlag('checkpoint-events', 8_000_000), intFlag('keys', 1_000_000));
  for (const l of lines) console.log(l);
  for (const m of mismatches) console.log(`MISMATCH ${m}`);
  if (mismatches.length > 0) process.exitCode = 1;
}
