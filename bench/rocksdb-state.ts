/**
 * Nexmark q5 and q7 with keyed state on RocksDB against the heap backend, in one run, both
 * with exactly-once incremental checkpoints every 10 s (Flink's published Nexmark setup):
 * alternating rounds, events per CPU-second (median), the ratio RocksDB / heap (target: at
 * least 0.5), the per-core targets on RocksDB, the checkpoints each side completed and the
 * peak RSS of this process, which is the TaskManager here, during the RocksDB rounds. Both
 * sides' outputs must be equal.
 *
 *   node --import tsx bench/rocksdb-state.ts [--rocksdb-events 6000000] [--rate 200000] [--rounds 3] [--rocksdb-checkpoint-seconds 10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher } from '../src/runtime/jobmanager/dispatcher.ts';
import { nexmarkJob } from './nexmark-runtime.ts';
import type { RuntimeFigures } from './nexmark-runtime.ts';
import { intFlag, isMain, numberFlag } from './support/args.ts';
import { fmtRate, machineLine, verdict } from './support/report.ts';

const RATIO_TARGET = 0.5;
/** Per core on RocksDB with checkpoints: what a Rust engine without durable state reports. */
const PER_CORE_TARGETS = { q5: 570_000, q7: 320_000 } as const;

export interface RocksDbBenchResult {
  readonly lines: string[];
  readonly mismatches: string[];
}

interface CheckpointedFigures extends RuntimeFigures {
  completedCheckpoints: number;
  failedCheckpoints: number;
  /** A restart replays from the last checkpoint into a sink that is not transactional: the output then differs. */
  restarts: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One run in this process under a JobMaster, so the checkpoint coordinator runs as on a cluster. */
async function runCheckpointed(query: 'q5' | 'q7', events: number, rate: number, config: Record<string, string>): Promise<CheckpointedFigures> {
  const { job, output } = nexmarkJob(query, { events, firstEventRate: rate, parallelism: 1 });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const master = await new Dispatcher().submit(job, { parallelism: 1, config });
  const result = await master.done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (result.state !== 'FINISHED') throw new Error(`nexmark ${query} ${result.state}: ${result.error?.message}`);
  const completed = master.checkpoints.stats.entries().filter((e) => e.status === 'COMPLETED').length;
  return {
    eventsPerSecond: events / seconds,
    eventsPerCpuSecond: events / ((cpu.user + cpu.system) / 1e6),
    count: output.count,
    checksum: output.checksum,
    completedCheckpoints: completed,
    failedCheckpoints: master.checkpoints.stats.failed,
    restarts: master.numRestarts,
  };
}

/** `checkpointSeconds` other than 10 is for trying the bench out on few events. */
export async function rocksDbReport(events: number, rate: number, rounds: number, checkpointSeconds = 10): Promise<RocksDbBenchResult> {
  const interval = `${checkpointSeconds}s`;
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-rocksdb-'));
  const checkpointed = (sub: string) => ({
    'execution.checkpointing.interval': interval,
    'execution.checkpointing.mode': 'EXACTLY_ONCE',
    'state.backend.incremental': 'true',
    'state.checkpoints.dir': `file://${join(dir, sub)}`,
  });
  const heapConfig = checkpointed('heap-checkpoints');
  const rocksConfig = { ...checkpointed('rocksdb-checkpoints'), 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': join(dir, 'rocksdb') };
  const lines = [
    `state backends: Nexmark q5 and q7 at parallelism 1, ${events} events, exactly-once incremental checkpoints every ${interval} (file://, temp dir) on both, ` +
      `${rounds} alternating rounds, events per CPU-second of this process (median); RSS of the TaskManager (this process)`,
  ];
  const mismatches: string[] = [];
  try {
    for (const q of ['q5', 'q7'] as const) {
      const heap: CheckpointedFigures[] = [];
      const onRocks: CheckpointedFigures[] = [];
      let peakRss = 0;
      for (let r = 0; r < rounds; r++) {
        heap.push(await runCheckpointed(q, events, rate, heapConfig));
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
        try {
          onRocks.push(await runCheckpointed(q, events, rate, rocksConfig));
        } finally {
          clearInterval(sampler);
        }
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }
      const h = median(heap.map((f) => f.eventsPerCpuSecond));
      const k = median(onRocks.map((f) => f.eventsPerCpuSecond));
      const ratio = k / h;
      const sum = (fs: CheckpointedFigures[], pick: (f: CheckpointedFigures) => number) => fs.reduce((n, f) => n + pick(f), 0);
      for (const f of [...heap, ...onRocks]) {
        if (f.count !== heap[0]!.count || f.checksum !== heap[0]!.checksum) mismatches.push(`rocksdb ${q}: a run gave ${f.count} rows (checksum ${f.checksum}), the first heap run ${heap[0]!.count} (${heap[0]!.checksum})`);
      }
      lines.push(
        `  ${q}: heap ${fmtRate(h)}/s, rocksdb ${fmtRate(k)}/s per core, ratio ${ratio.toFixed(2)} (target >= ${RATIO_TARGET}: ${verdict(ratio >= RATIO_TARGET)}), ` +
          `rocksdb per core target >= ${fmtRate(PER_CORE_TARGETS[q])}: ${verdict(k >= PER_CORE_TARGETS[q])}; peak RSS during RocksDB ${(peakRss / 2 ** 20).toFixed(0)} MiB; ` +
          `checkpoints completed (failed): heap ${sum(heap, (f) => f.completedCheckpoints)} (${sum(heap, (f) => f.failedCheckpoints)}), rocksdb ${sum(onRocks, (f) => f.completedCheckpoints)} (${sum(onRocks, (f) => f.failedCheckpoints)}); restarts: heap ${sum(heap, (f) => f.restarts)}, rocksdb ${sum(onRocks, (f) => f.restarts)}`,
      );
      const unchecked = [...heap, ...onRocks].filter((f) => f.completedCheckpoints === 0).length;
      if (unchecked > 0) lines.push(`    ${unchecked} of ${heap.length + onRocks.length} runs ended before their first checkpoint completed: more --rocksdb-events (or a shorter --rocksdb-checkpoint-seconds) make them pay for checkpoints`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { lines, mismatches };
}

if (isMain(import.meta.url)) {
  const { lines, mismatches } = await rocksDbReport(intFlag('rocksdb-events', 6_000_000), numberFlag('rate', 200_000), intFlag('rounds', 3), intFlag('rocksdb-checkpoint-seconds', 10));
  for (const l of lines) console.log(l);
  console.log(machineLine());
  for (const m of mismatches) console.log(`MISMATCH ${m}`);
  if (mismatches.length > 0) process.exitCode = 1;
}
