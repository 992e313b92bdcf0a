/**
 * The autoscaler's per-vertex metrics, read over HTTP from a real JobManager REST API running
 * a keyed job: the graph as the decision needs it and each vertex's rates and times.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { RestVertexMetrics } from '../../src/kube-operator/autoscaler/jobmanager-vertex-metrics.ts';
import type { ObservedVertex } from '../../src/kube-operator/autoscaler/jobmanager-vertex-metrics.ts';
import { eventually } from '../support/eventually.ts';

const keyedCounts = defineJob((env) => {
  env.setJobName('keyed-counts');
  env.setMaxParallelism(64);
  env
    .fromSource(new DataGeneratorSource((i) => i, Infinity, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks(), 'numbers')
    .keyBy((n) => n % 10)
    .reduce((a, b) => a + b)
    .filter(() => false)
    .print();
});

const dispatcher = new Dispatcher();
const rest = new RestServer(dispatcher, { port: 0 });
let base = '';
before(async () => {
  base = `http://127.0.0.1:${await rest.listen()}`;
});
after(() => rest.close());

test('vertices with parallelism, key groups, keyed inputs and their records per second and times', async () => {
  const job = await dispatcher.submit(keyedCounts);
  try {
    const collector = new RestVertexMetrics(base, () => 42);
    let seen: ObservedVertex[] | undefined;
    const vertices = await eventually(
      async () => {
        seen = await collector.vertexMetrics(job.jobId).catch(() => undefined);
        return seen && seen.every((v) => v.sample.recordsInPerSecond > 0) ? seen : undefined;
      },
      30_000,
      'records per second on every vertex',
      () => seen,
    );
    const [source, reduce] = vertices;
    assert.equal(vertices.length, 2);
    assert.deepEqual([source!.keyed, source!.inputs, source!.maxParallelism, source!.parallelism], [false, [], 64, 1]);
    assert.deepEqual([reduce!.keyed, reduce!.inputs, reduce!.maxParallelism], [true, [source!.id], 64]);
    for (const v of vertices) {
      assert.equal(v.sample.at, 42);
      assert.ok(v.sample.busyTimeMsPerSecond >= 0 && v.sample.busyTimeMsPerSecond <= 1000);
      assert.ok(v.sample.backPressuredTimeMsPerSecond >= 0 && v.sample.backPressuredTimeMsPerSecond <= 1000);
    }
    // The source reads what it emits (nothing is filtered before the keyBy).
    assert.equal(source!.sample.recordsOutPerSecond, source!.sample.recordsInPerSecond);
  } finally {
    job.cancel();
    await job.done;
  }
});

test('an unknown job is JOBMANAGER_REFUSED, not retried as if the JobManager were down', async () => {
  await assert.rejects(new RestVertexMetrics(base).vertexMetrics('f'.repeat(32)), (e: { code?: string; retriable?: boolean }) => e.code === 'JOBMANAGER_REFUSED' && e.retriable === false);
});
