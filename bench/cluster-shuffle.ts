/**
 * Throughput of a keyBy shuffle between two TaskManager processes (issue 3's target:
 * at least 1M records/s): a JobManager here, two `weir taskmanager` child processes with
 * one slot each, parallelism 2, so half of the records cross TCP in each direction.
 *
 *   node --import tsx bench/cluster-shuffle.ts [--records 2000000]
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Dispatcher } from '../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { loadJob } from '../src/runtime/graph/load-job.ts';

export interface ShuffleBenchResult {
  records: number;
  recordsPerSecond: number;
}

/** Runs `jobFile` at parallelism 2 on a JobManager here and two TaskManager processes. */
async function onTwoTaskManagers(jobFile: string, args: Record<string, string>, bufferTimeout: string) {
  const registry = new TaskManagerRegistry(200, 10_000);
  const dispatcher = new Dispatcher({ registry });
  const rest = new RestServer(dispatcher, { port: 0 });
  const url = `http://127.0.0.1:${await rest.listen()}`;
  const weir = resolve('bin/weir.mjs');
  const tms = [0, 1].map(() => spawn(process.execPath, [weir, 'taskmanager', '--jobmanager', url, '--slots', '1', `-Dexecution.buffer-timeout=${bufferTimeout}`], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
  try {
    while (registry.totalSlots() < 2) await new Promise((r) => setTimeout(r, 50));
    const path = resolve(jobFile);
    const started = performance.now();
    const master = await dispatcher.submit(await loadJob(path), { parallelism: 2, jobPath: path, args });
    const result = await master.done;
    if (result.state !== 'FINISHED') throw new Error(`benchmark job ${result.state}: ${result.error?.message}`);
    return { result, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const tm of tms) tm.kill('SIGTERM');
    await rest.close();
  }
}

export async function runClusterShuffleBench(records = 2_000_000): Promise<ShuffleBenchResult> {
  const { seconds } = await onTwoTaskManagers('bench/shuffle-job.ts', { records: String(records) }, '100ms');
  return { records, recordsPerSecond: records / seconds };
}

export interface LatencyBenchResult {
  bufferTimeout: string;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

/** End-to-end latency through a keyBy between two TaskManagers at a fixed rate. */
export async function runClusterLatencyBench(ratePerSecond: number, bufferTimeout: string, records = ratePerSecond * 4): Promise<LatencyBenchResult> {
  const { result } = await onTwoTaskManagers('bench/latency-job.ts', { rate: String(ratePerSecond), records: String(records) }, bufferTimeout);
  const latencies = (result.collected.get('latencies') as number[]).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { bufferTimeout, ratePerSecond, p50Ms: at(0.5), p99Ms: at(0.99), samples: latencies.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--records');
  const r = await runClusterShuffleBench(i === -1 ? undefined : Number(process.argv[i + 1]));
  console.log(`keyBy shuffle between 2 TaskManager processes: ${(r.recordsPerSecond / 1e6).toFixed(2)}M records/s (${r.records} records, job start included; target 1.00M)`);
  const half = Math.round(r.recordsPerSecond / 2);
  for (const timeout of ['0', '100ms']) {
    const l = await runClusterLatencyBench(half, timeout);
    console.log(`latency at ${half} records/s, buffer timeout ${timeout}: p50 ${l.p50Ms.toFixed(2)}ms, p99 ${l.p99Ms.toFixed(2)}ms (${l.samples} samples)`);
  }
}
