import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClusterLatencyBench } from './cluster-shuffle.ts';
import { describeLatency } from './support/latency-histogram.ts';
import { describeTailCauses } from './support/tail-causes.ts';
import { machineLine } from './support/report.ts';
const dir = `file://${await mkdtemp(join(tmpdir(), 'weir-tmplat-'))}`;
for (let r = 0; r < Number(process.argv[2] ?? 3); r++) {
  for (const interval of [undefined, '1s']) {
    const config: Record<string, string> = interval ? { 'execution.checkpointing.interval': interval, 'state.checkpoints.dir': dir } : {};
    const l = await runClusterLatencyBench(500_000, '0', 5, 1.5, config);
    console.log(`${interval ?? 'none'}: ${describeLatency(l.latency)}`);
    console.log(`    ${describeTailCauses(l.tail)}`);
  }
}
console.log(machineLine());
