/**
 * What incremental checkpoints upload in a running job (the job in this process): once its
 * 2000 keys exist and only two keep changing, a checkpoint uploads the key groups of those
 * two alone, which REST reports as checkpointed_size well under state_size.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { checkpointStatsView } from '../../src/runtime/jobmanager/rest/checkpoint-views.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { backendConfig } from '../support/state-backend.ts';

const KEYS = 2000;

const job = defineJob((env) => {
  env.setParallelism(1);
  env
    // Records 0..1999 create the keys; after them only keys 0 and 1 change.
    .fromSource(new DataGeneratorSource((i) => (i < KEYS ? i : i % 2), 10_000_000, { recordsPerSecond: 4000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((k) => ({ key: k, count: 1 }))
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .sinkTo({ createWriter: () => ({ write: () => undefined }) }, 'discard')
    .uid('discard');
});

test('with two hot keys of 2000, a checkpoint uploads their key groups only: checkpointed_size is a small part of state_size', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-incremental-sizes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const master = await new Dispatcher().submit(job, {
    config: { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': dir, 'state.backend.incremental': 'true', ...backendConfig() },
  });
  // The source runs until cancelled: also when an assertion fails, so the process can end.
  t.after(async () => {
    if (master.status === 'RUNNING') master.cancel();
    await master.done;
  });
  // Two of 128 key groups change: well under a tenth of the state once every key exists.
  const small = await eventually(
    () => checkpointStatsView(master.checkpoints.stats, Date.now()).history.find((e) => e.status === 'COMPLETED' && e.state_size > 0 && e.checkpointed_size * 10 < e.state_size),
    30_000,
    'a checkpoint uploading under a tenth of the state',
    () => checkpointStatsView(master.checkpoints.stats, Date.now()).history.map((e) => `${e.id}: ${e.checkpointed_size}/${e.state_size}`).join(', '),
  );
  assert.ok(small.checkpointed_size > 0, 'the hot key groups were uploaded');
});
