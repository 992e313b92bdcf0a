/**
 * What metrics cost: the same job with metrics off and on (alternating runs, median CPU time
 * per record), and the time of one scrape of its registry.
 *
 *   node --import tsx bench/metrics-overhead.ts --records 3000000 --runs 5
 */
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import type { Sink } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { buildJobPlan, TaskGroup } from '../src/runtime/index.ts';
import { machineLine } from './support/report.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const records = flag('records', 3_000_000);
const runs = flag('runs', 5);
const parallelism = flag('parallelism', 2);

let sunk = 0;
const countingSink: Sink<number> = {
  createWriter: () => ({
    write: (values: readonly number[]) => {
      sunk += values.length;
    },
  }),
};

// Source -> map -> filter chained, then a shuffle to the sink: two tasks per subtask index,
// four operators, all with counters and views.
const job = defineJob((env) => {
  env
    .fromSource(new DataGeneratorSource((i) => i, records), WatermarkStrategy.noWatermarks<number>(), 'gen')
    .map((i: number) => i * 3)
    .filter((x: number) => (x & 1) === 0)
    .rebalance()
    .sinkTo(countingSink, 'count');
});
const plan = await buildJobPlan(job, { parallelism });

async function once(metrics: boolean): Promise<{ cpuNsPerRecord: number; executor: TaskGroup }> {
  const executor = new TaskGroup(plan, { metrics });
  const cpu = process.cpuUsage();
  const r = await executor.run();
  const used = process.cpuUsage(cpu);
  if (r.state !== 'FINISHED') throw new Error(`run ${r.state}: ${r.error?.message}`);
  return { cpuNsPerRecord: ((used.user + used.system) * 1000) / records, executor };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const off: number[] = [];
const on: number[] = [];
let last: TaskGroup | undefined;
await once(false); // warm up the JIT
for (let i = 0; i < runs; i++) {
  off.push((await once(false)).cpuNsPerRecord);
  const r = await once(true);
  on.push(r.cpuNsPerRecord);
  last = r.executor;
}
const mOff = median(off);
const mOn = median(on);
console.log(machineLine());
console.log(`${records} records, parallelism ${parallelism}, ${runs} runs each (median CPU ns per record; sink saw ${sunk})`);
console.log(`metrics off: ${mOff.toFixed(1)} ns/record   metrics on: ${mOn.toFixed(1)} ns/record   difference: ${(((mOn - mOff) / mOff) * 100).toFixed(1)}%`);

const registry = last!.metricRegistry!;
const text = await registry.metrics();
const scrapes = 200;
const t0 = performance.now();
for (let i = 0; i < scrapes; i++) await registry.metrics();
const perScrape = (performance.now() - t0) / scrapes;
const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
console.log(`one scrape: ${perScrape.toFixed(2)} ms for ${series} series (${text.length} bytes)`);

// The loop's cost per step, with a state change on every call (the worst case): a step
// carries at least one batch (up to 1024 records by default), so this bounds the cost per record.
const metrics = last!.taskMetrics!;
const task = last!.tasks[0]!;
const calls = 2_000_000;
const t1 = performance.now();
for (let i = 0; i < calls; i++) metrics.observe(task, (i & 1) === 0);
const perCall = ((performance.now() - t1) * 1e6) / calls;
console.log(`task loop observe(): ${perCall.toFixed(0)} ns per call, 2 calls per step: <= ${((2 * perCall) / 1024).toFixed(2)} ns per record at 1024 records per batch`);
