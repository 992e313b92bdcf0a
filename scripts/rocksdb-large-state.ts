/**
 * State larger than the configured memory: a keyed count over 2M distinct keys (then every
 * key once more, read back from RocksDB) with 64 MB per slot, on RocksDB. Prints the peak
 * RSS and JavaScript heap, and fails when the heap grew past what the cache may hold.
 * Outside `npm test` (it takes tens of seconds):
 *
 *   npm exec -- node --import tsx scripts/rocksdb-large-state.ts [--keys 2000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, KeyedProcessFunction, ValueStateDescriptor, WatermarkStrategy } from '../src/api/index.ts';
import type { Collector, KeyedProcessContext, RuntimeContext, ValueState } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { runJob } from '../src/runtime/index.ts';
import { intFlag } from '../bench/support/args.ts';

const keys = intFlag('keys', 2_000_000);
/** The JavaScript heap may grow by the cache's share of 64 MB and the runtime's own buffers; not by the state. */
const HEAP_GROWTH_LIMIT = 256 * 2 ** 20;

class CountPerKey extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
  }
  processElement(_v: number, _ctx: KeyedProcessContext<number>, out: Collector<number>): void {
    const n = this.count.value()! + 1;
    this.count.update(n);
    if (n === 2) out.collect(1);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'weir-large-state-'));
const heap0 = process.memoryUsage().heapUsed;
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 100);
const started = performance.now();
try {
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i % keys, 2 * keys), WatermarkStrategy.noWatermarks<number>(), 'keys')
      .keyBy((k) => k)
      .process(new CountPerKey())
      .collect('second-visits');
  });
  const config = { 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': dir, 'state.backend.rocksdb.memory.fixed-per-slot': '64mb' };
  const result = await runJob(job, { parallelism: 1, config });
  if (result.state !== 'FINISHED') throw new Error(`the job ${result.state}: ${result.error?.message}`);
  const seconds = (performance.now() - started) / 1000;
  const secondVisits = result.collected.get('second-visits')?.length ?? 0;
  console.log(`${keys} keys, ${2 * keys} records in ${seconds.toFixed(1)} s (${Math.round((2 * keys) / seconds)}/s); keys seen twice: ${secondVisits}`);
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, peak JS heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB (${((peakHeap - heap0) / 2 ** 20).toFixed(0)} MiB above the start)`);
  if (secondVisits !== keys) throw new Error(`expected every one of ${keys} keys counted twice, got ${secondVisits}`);
  if (peakHeap - heap0 > HEAP_GROWTH_LIMIT) throw new Error(`the JavaScript heap grew by ${((peakHeap - heap0) / 2 ** 20).toFixed(0)} MiB: state is not bounded by the cache`);
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
