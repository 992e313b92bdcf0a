import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, ProcessFunction, WatermarkStrategy } from '../../api/index.ts';
import type { Collector, ProcessContext } from '../../api/index.ts';
import { runJob, VirtualClock } from '../../runtime/index.ts';
import { DataGeneratorSource } from './data-generator-source.ts';

class StampProcessingTime extends ProcessFunction<number, [number, number]> {
  processElement(v: number, ctx: ProcessContext, out: Collector<[number, number]>): void {
    out.collect([v, ctx.timerService().currentProcessingTime()]);
  }
}

test('generates generator(i) for every i < count, split over subtasks by index', async () => {
  for (const parallelism of [1, 3]) {
    const job = defineJob((env) => {
      env.fromSource(new DataGeneratorSource((i) => i * i, 10), WatermarkNone(), 'squares').collect('out');
    });
    const r = await runJob(job, { parallelism });
    assert.equal(r.state, 'FINISHED');
    assert.deepEqual([...(r.collected.get('out') as number[])].sort((a, b) => a - b), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
  }
});

test('a rate limit paces records over processing time', async () => {
  // 10 records/s: record i may be emitted once i/10 s have passed since the start (time 0).
  const job = defineJob((env) => {
    env
      .fromSource(new DataGeneratorSource((i) => i, 25, { recordsPerSecond: 10 }), WatermarkNone(), 'paced')
      .process(new StampProcessingTime())
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock() });
  assert.equal(r.state, 'FINISHED');
  const out = r.collected.get('out') as [number, number][];
  assert.equal(out.length, 25);
  for (const [i, at] of out) assert.equal(at, i * 100, `record ${i} at ${at}ms`);
});

test('bad arguments are rejected with what to do', () => {
  assert.throws(() => new DataGeneratorSource((i) => i, -1), /count must be >= 0/);
  assert.throws(() => new DataGeneratorSource((i) => i, 10, { recordsPerSecond: 0 }), /recordsPerSecond must be > 0/);
  assert.equal(new DataGeneratorSource((i) => i, Infinity).boundedness, 'CONTINUOUS_UNBOUNDED');
});

function WatermarkNone() {
  return WatermarkStrategy.noWatermarks<number>();
}
