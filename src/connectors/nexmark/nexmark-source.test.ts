import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, ProcessFunction, WatermarkStrategy } from '../../api/index.ts';
import type { Collector, ProcessContext } from '../../api/index.ts';
import { runJob } from '../../runtime/index.ts';
import { nexmarkConfig } from './config.ts';
import { nexmarkEvent } from './generator.ts';
import type { NexmarkEvent } from './model.ts';
import { NexmarkSource } from './nexmark-source.ts';

class WithTimestamp extends ProcessFunction<NexmarkEvent, { e: NexmarkEvent; ts: number | undefined }> {
  processElement(e: NexmarkEvent, ctx: ProcessContext, out: Collector<{ e: NexmarkEvent; ts: number | undefined }>): void {
    out.collect({ e, ts: ctx.timestamp() });
  }
}

test('the source emits events 0..n-1 with their dateTime as event time, at any parallelism', async () => {
  const config = nexmarkConfig({ firstEventRate: 1000 });
  const expected = Array.from({ length: 200 }, (_, i) => nexmarkEvent(i, config));
  for (const parallelism of [1, 4]) {
    const job = defineJob((env) => {
      env
        .fromSource(new NexmarkSource({ events: 200, firstEventRate: 1000 }), WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>(), 'nexmark')
        .process(new WithTimestamp())
        .collect('out');
    });
    const r = await runJob(job, { parallelism });
    assert.equal(r.state, 'FINISHED', r.error?.message);
    const out = r.collected.get('out') as { e: NexmarkEvent; ts: number }[];
    const time = (e: NexmarkEvent) => e.bid?.dateTime ?? e.auction?.dateTime ?? e.person!.dateTime;
    for (const { e, ts } of out) assert.equal(ts, time(e));
    const key = (e: NexmarkEvent) => JSON.stringify(e);
    assert.deepEqual(out.map((o) => key(o.e)).sort(), expected.map(key).sort());
    assert.equal(out.filter((o) => o.e.type === 'bid').length, 184); // 46 of every 50
  }
});
