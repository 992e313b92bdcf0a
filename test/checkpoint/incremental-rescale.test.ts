/**
 * A retained incremental checkpoint restores into a new job at another parallelism and on
 * the other backend: the new job reads each key group from the shared file the checkpoint
 * lists (in `shared/` beside it, under the first job's id), and the counts go on exactly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';

const RECORDS = 8000;
const KEYS = 40;

function job(parallelism: number, rate: number) {
  return defineJob((env) => {
    env.setParallelism(parallelism);
    env
      .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: rate }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
      .uid('numbers')
      .map((i) => ({ key: i % KEYS, count: 1 }))
      .uid('ones')
      .keyBy((r) => r.key)
      .sum('count')
      .uid('counts')
      .collect('counts');
  });
}

test('an incremental checkpoint of a heap job at parallelism 2 restores into RocksDB at parallelism 3 with exact counts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-incremental-rescale-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dispatcher = new Dispatcher();
  const common = { 'state.checkpoints.dir': join(dir, 'chk'), 'state.backend.incremental': 'true', 'execution.checkpointing.interval': '100ms' };
  const first = await dispatcher.submit(job(2, 2000), { config: { ...common, 'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION', 'state.checkpoints.num-retained': '2' } });
  await eventually(() => (first.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three completed checkpoints');
  first.cancel();
  const cancelled = await first.done;
  assert.equal(cancelled.state, 'CANCELED');
  const checkpoint = first.checkpoints.stats.lastCompleted!.externalPath!;
  // Keyed state of the checkpoint is in shared files only.
  assert.deepEqual((await readdir(checkpoint)).filter((n) => n.endsWith('.keys')), []);
  assert.ok((await readdir(join(dir, 'chk', first.jobId, 'shared'))).length > 0);

  const second = await dispatcher.submit(job(3, 1e9), {
    config: { ...common, 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': join(dir, 'rocks'), 'execution.savepoint.path': checkpoint },
  });
  const result = await second.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const last = new Map<number, number>();
  for (const c of result.collected.get('counts') as { key: number; count: number }[]) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  assert.ok((result.collected.get('counts') as unknown[]).length < RECORDS, 'the second job went on from the checkpoint');
  assert.deepEqual([...last].sort((a, b) => a[0] - b[0]), Array.from({ length: KEYS }, (_, k) => [k, RECORDS / KEYS]));
  // The first job's retained checkpoint and its shared files are untouched by the second job.
  assert.ok((await readdir(join(dir, 'chk', first.jobId, 'shared'))).length > 0);
});
