/**
 * Nexmark q5 and q7 with keyed state on RocksDB against the heap backend, in one run:
 * alternating rounds, events per CPU-second (median), the ratio RocksDB / heap (target: at
 * least 0.5) and the peak RSS of this process, which is the TaskManager here, during the
 * RocksDB rounds. Both sides' outputs must be equal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNexmarkOnRuntime } from './nexmark-runtime.ts';
import type { RuntimeFigures } from './nexmark-runtime.ts';
import { fmtRate } from './support/report.ts';

const RATIO_TARGET = 0.5;

export interface RocksDbBenchResult {
  readonly lines: string[];
  readonly mismatches: string[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function rocksDbReport(events: number, rate: number, rounds: number): Promise<RocksDbBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-rocksdb-'));
  const rocks = { 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': dir };
  const lines = [`state backends: Nexmark q5 and q7, ${events} events, ${rounds} alternating rounds, events per CPU-second (median); RSS of the TaskManager (this process)`];
  const mismatches: string[] = [];
  try {
    for (const q of ['q5', 'q7'] as const) {
      const heap: RuntimeFigures[] = [];
      const onRocks: RuntimeFigures[] = [];
      let peakRss = 0;
      for (let r = 0; r < rounds; r++) {
        heap.push(await runNexmarkOnRuntime(q, events, rate));
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
        try {
          onRocks.push(await runNexmarkOnRuntime(q, events, rate, 1, rocks));
        } finally {
          clearInterval(sampler);
        }
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }
      const h = median(heap.map((f) => f.eventsPerCpuSecond));
      const k = median(onRocks.map((f) => f.eventsPerCpuSecond));
      const ratio = k / h;
      if (heap[0]!.count !== onRocks[0]!.count || heap[0]!.checksum !== onRocks[0]!.checksum) mismatches.push(`rocksdb ${q}: ${onRocks[0]!.count} rows (checksum ${onRocks[0]!.checksum}) on RocksDB, ${heap[0]!.count} (${heap[0]!.checksum}) on the heap`);
      lines.push(
        `  ${q}: heap ${fmtRate(h)}/s, rocksdb ${fmtRate(k)}/s, ratio ${ratio.toFixed(2)} (target ${RATIO_TARGET}: ${ratio >= RATIO_TARGET ? 'met' : 'NOT met'}), peak RSS during RocksDB ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { lines, mismatches };
}
