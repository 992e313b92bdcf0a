/**
 * The same job over in-process channels and over the TCP data plane between two
 * endpoints (as two TaskManagers would exchange data). Records from different upstream
 * subtasks may interleave differently (Flink guarantees order per channel only), so the
 * job's results are chosen to be independent of that: final sums, window sums over
 * in-order timestamps (nothing can be late), and a sorted two-input output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, OutputTag, TumblingEventTimeWindows, WatermarkStrategy } from '../../src/api/index.ts';
import type { JobDefinition } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { runJob } from '../../src/runtime/index.ts';
import { TcpChannelFactory } from '../../src/runtime/network/tcp/tcp-channel-factory.ts';

interface Sale {
  shop: string;
  amount: number;
  at: number;
}

const sale = (i: number): Sale => ({ shop: `shop-${(i * 7) % 13}`, amount: (i * 31) % 97, at: i * 10 });
const LATE = new OutputTag<Sale>('late');

const job: JobDefinition = defineJob((env) => {
  const sales = env.fromSource(
    new DataGeneratorSource(sale, 20_000),
    WatermarkStrategy.forMonotonousTimestamps<Sale>().withTimestampAssigner((s) => s.at),
    'sales',
  );
  sales
    .keyBy((s) => s.shop)
    .sum('amount')
    .keyBy((s) => s.shop)
    .reduce((a, b) => (b.amount > a.amount ? b : a))
    .collect('rolling');
  const windows = sales
    .keyBy((s) => s.shop)
    .window(TumblingEventTimeWindows.of(1000))
    .sideOutputLateData(LATE)
    .sum('amount');
  // sum() keeps the other fields of the window's first record, which depends on arrival order.
  windows.map((s) => `${s.shop}:${s.amount}`).collect('windows');
  windows.getSideOutput(LATE).map((s) => `${s.shop}@${s.at}`).collect('late');
  const bonuses = env.fromElements(3, 5).rebalance();
  sales
    .filter((s) => s.amount > 90)
    .connect(bonuses)
    .map({ map1: (s: Sale) => `sale ${s.shop} ${s.amount} ${s.at}`, map2: (b: number) => `bonus ${b}` })
    .collect('connected');
});

async function results(parallelism: number, tcp: boolean) {
  const channels = tcp ? await TcpChannelFactory.create(2, 0) : undefined;
  try {
    const r = await runJob(job, { parallelism, channels });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    const finalSums = new Map<string, number>();
    for (const v of r.collected.get('rolling') as Sale[]) finalSums.set(v.shop, Math.max(finalSums.get(v.shop) ?? 0, v.amount));
    return {
      finalSums: [...finalSums].sort(),
      windows: (r.collected.get('windows') ?? []).map(String).sort(),
      late: (r.collected.get('late') ?? []).map(String),
      connected: (r.collected.get('connected') ?? []).map(String).sort(),
    };
  } finally {
    await channels?.close();
  }
}

for (const parallelism of [1, 2, 4]) {
  test(`results over TCP equal in-process results at parallelism ${parallelism}`, async () => {
    const local = await results(parallelism, false);
    const tcp = await results(parallelism, true);
    assert.equal(local.finalSums.length, 13);
    assert.equal(local.windows.length, 13 * 200); // 13 shops x 200 one-second windows over 200s
    assert.deepEqual(local.late, []);
    assert.deepEqual(tcp.finalSums, local.finalSums);
    assert.deepEqual(tcp.windows, local.windows);
    assert.deepEqual(tcp.late, []);
    assert.deepEqual(tcp.connected, local.connected);
    assert.ok(local.connected.includes('bonus 3') && local.connected.includes('bonus 5'));
  });
}
