/**
 * `npm run bench`: Nexmark q0, q1, q2, q5, q7 on the in-process runtime (parallelism 1)
 * against hand-written loops over the same generator (warmed up, alternating rounds,
 * medians), the network data plane, a keyBy shuffle and its latency between two
 * TaskManager processes, the Kafka test broker, Kafka -> Weir -> Kafka against a raw
 * kafkajs loop, checkpoints (their cost, 1M keys full against incremental, restore from
 * file:// and s3://), keyed state on RocksDB against the heap with incremental checkpoints
 * (q5, q7), and the operator at scale. Every block
 * of figures carries the Node version and the machine's load average.
 *
 *   npm run bench -- --events 2000000 --rate 200000 --rounds 3 [--warmup-events 500000]
 *                    [--shuffle-records 6000000] [--deployments 500 --changes 200]
 *                    [--checkpoint-events 8000000] [--keys 1000000] [--kafka-messages 200000]
 *                    [--rocksdb-events 6000000] [--rocksdb-checkpoint-seconds 10]
 *
 * A missed target is reported, not fatal. A wrong output is: a Nexmark query whose rows
 * differ from the hand-written loop's, or a shuffle that lost or doubled records, prints
 * MISMATCH and makes the run exit non-zero at the end.
 */
import { compareNexmark } from './nexmark-compare.ts';
import { runKafkaBrokerBench } from './kafka-broker.ts';
import { kafkaConnectorReport, runKafkaConnectorBench } from './kafka-connector.ts';
import { networkReport, runNetworkBench } from './network.ts';
import { latencyReport, runClusterLatencyBench, runClusterShuffleBench, shuffleReport } from './cluster-shuffle.ts';
import { operatorReport, runOperatorScaleBench } from './operator-scale.ts';
import { checkpointingReport } from './checkpointing.ts';
import { rocksDbReport } from './rocksdb-state.ts';
import { checkpointStorageRestoreReport } from './checkpoint-storage-restore.ts';
import { incrementalCheckpointReport } from './incremental-checkpoints.ts';
import type { NexmarkQuery } from './nexmark-runtime.ts';
import { intFlag, numberFlag } from './support/args.ts';
import { describeOutput } from './support/nexmark-checksum.ts';
import { fmtRate, fmtSpread, machineLine } from './support/report.ts';

/** Per-core targets at parallelism 1: ten times Flink's published per-core Nexmark figures. */
const TARGETS: Record<NexmarkQuery, number> = { q0: 1_500_000, q1: 1_500_000, q2: 1_500_000, q5: 220_000, q7: 120_000 };
const RATIO_TARGET = 0.3;

const events = intFlag('events', 2_000_000);
// Event-time rate of the generator: 200k events/s makes 10 s of event time per 2M events,
// so q5's windows fire during the run rather than only at the end.
const rate = numberFlag('rate', 200_000);
const rounds = intFlag('rounds', 3);
const warmupEvents = Math.min(events, intFlag('warmup-events', 500_000));
const shuffleRecords = intFlag('shuffle-records', 6_000_000);
const deployments = intFlag('deployments', 500);
const changes = intFlag('changes', 200);
const failures: string[] = [];

console.log(`Nexmark, ${events} events per run, generator rate ${rate}/s of event time, parallelism 1`);
console.log(`each side warmed up on ${warmupEvents} events, then ${rounds} alternating rounds; events per CPU-second of this process: median (min-max)`);
const header = ['query', 'runtime', 'hand-written', 'ratio', 'target', 'meets target', 'meets ratio', 'output (both sides)'];
const rows: string[][] = [header];
let allMet = true;
for (const q of ['q0', 'q1', 'q2', 'q5', 'q7'] as const) {
  const c = await compareNexmark(q, { events, rate, rounds, warmupEvents });
  const meets = c.runtime.median >= TARGETS[q];
  const same = c.mismatches.length === 0;
  allMet &&= meets && c.ratio >= RATIO_TARGET && same;
  rows.push([q, fmtSpread(c.runtime), fmtSpread(c.handwritten), c.ratio.toFixed(2), fmtRate(TARGETS[q]), meets ? 'yes' : 'NO', c.ratio >= RATIO_TARGET ? 'yes' : 'NO', same ? describeOutput(c.output) : 'MISMATCH']);
  for (const m of c.mismatches) failures.push(`nexmark ${q}: ${m}`);
}
const widths = header.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
for (const r of rows) console.log(r.map((cell, col) => (col === 0 || col === r.length - 1 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ').trimEnd());
for (const f of failures) console.log(`MISMATCH ${f}`);
console.log(allMet ? 'all Nexmark targets met, outputs equal' : 'some Nexmark targets NOT met or outputs differ (see the table)');
console.log(machineLine());

// The data plane between TaskManagers, piece by piece (component figures, no targets).
const net = await runNetworkBench();
console.log('');
for (const line of networkReport(net)) console.log(line);
console.log(machineLine());

// A keyBy shuffle between two TaskManager processes, end to end (job start included): the setup issue 3's targets are for.
const shuffle = await runClusterShuffleBench(shuffleRecords);
console.log('');
for (const line of shuffleReport(shuffle)) console.log(line);
if (shuffle.mismatch !== '') failures.push(`shuffle: ${shuffle.mismatch}`);
const half = Math.round(shuffle.recordsPerSecond / 2);
for (const timeout of ['0', '100ms']) {
  const l = await runClusterLatencyBench(half, timeout);
  for (const line of latencyReport(l)) console.log(line);
  if (l.mismatch !== '') failures.push(`latency at buffer timeout ${timeout}: ${l.mismatch}`);
}
console.log(machineLine());

// Each test client against the Kafka test broker: the cost connector benchmarks must subtract.
console.log('');
for (const client of ['kafkajs', 'platformatic'] as const) {
  const kafka = await runKafkaBrokerBench({ client });
  console.log(`kafka test broker with ${client}: produce ${fmtRate(kafka.produceMessagesPerSecond)} msg/s, consume ${fmtRate(kafka.consumeMessagesPerSecond)} msg/s (${kafka.messages} messages)`);
}
console.log(machineLine());

// The Kafka connectors: Kafka -> Weir -> Kafka against a raw kafkajs consume-produce loop on the same broker.
console.log('');
const kafkaConnector = await runKafkaConnectorBench(intFlag('kafka-messages', 200_000));
for (const line of kafkaConnectorReport(kafkaConnector)) console.log(line);
failures.push(...kafkaConnector.mismatches);
console.log(machineLine());

// What checkpoints cost: Nexmark with and without, latency with and without, a big keyed state.
console.log('');
const checkpointing = await checkpointingReport(intFlag('checkpoint-events', 8_000_000), intFlag('keys', 1_000_000));
for (const line of checkpointing.lines) console.log(line);
failures.push(...checkpointing.mismatches);
for (const line of await incrementalCheckpointReport(intFlag('keys', 1_000_000))) console.log(line);
for (const line of await checkpointStorageRestoreReport(intFlag('keys', 1_000_000))) console.log(line);

// Keyed state on RocksDB against the heap, incremental checkpoints every 10 s on both: Nexmark q5 and q7 in the same
// run, and the TaskManager's RSS. More events than above by default, so that a run lasts long enough to checkpoint.
console.log('');
const rocksdb = await rocksDbReport(intFlag('rocksdb-events', 6_000_000), rate, rounds, intFlag('rocksdb-checkpoint-seconds', 10));
for (const line of rocksdb.lines) console.log(line);
failures.push(...rocksdb.mismatches);
console.log(machineLine());

// The operator with 500 StreamDeployments on the Kubernetes test server (issue 6's targets, judged at 500 only).
const op = await runOperatorScaleBench(deployments, changes);
console.log('');
for (const line of operatorReport(op)) console.log(line);
console.log(machineLine());

if (failures.length > 0) {
  console.log(`\nbench FAILED: ${failures.length} wrong output(s):`);
  for (const f of failures) console.log(`  MISMATCH ${f}`);
  process.exitCode = 1;
}
