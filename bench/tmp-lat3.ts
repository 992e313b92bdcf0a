import { runClusterLatencyBench } from './cluster-shuffle.ts';
import { describeLatency } from './support/latency-histogram.ts';
for (let r = 0; r < 4; r++) {
  const l = await runClusterLatencyBench(500_000, '0', 5, 1.5, {});
  console.log(`none#${r}: ${describeLatency(l.latency)}`);
}
