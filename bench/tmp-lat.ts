import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClusterLatencyBench } from './cluster-shuffle.ts';
import { describeLatency } from './support/latency-histogram.ts';
import { describeTailCauses } from './support/tail-causes.ts';
const dir = await mkdtemp(join(tmpdir(), 'lat-'));
for (const interval of (process.env.INTERVALS ?? 'none,1s').split(',').map((x) => (x === 'none' ? undefined : x))) {
  const config: Record<string, string> = interval ? { 'execution.checkpointing.interval': interval, 'state.checkpoints.dir': dir, ...(process.env.MODE ? { 'execution.checkpointing.mode': process.env.MODE } : {}) } : {};
  const l = await runClusterLatencyBench(Number(process.env.RATE ?? 500_000), '0', 4, 1, config);
  console.log(interval ?? 'none', describeLatency(l.latency));
  console.log('   ', describeTailCauses(l.tail));
  console.log('   ', JSON.stringify(l.checkpoints));
}
