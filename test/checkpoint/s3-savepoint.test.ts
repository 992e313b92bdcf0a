/**
 * Savepoints on S3 are relocatable: a job checkpointing to S3 stops with a savepoint to S3
 * (its state files copied server-side); the savepoint's objects are copied to another bucket
 * and prefix and deleted where they were, and a job checkpointing to a local directory
 * restores from the copy, its counts going on exactly where the first job's stopped.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

const RECORDS = 6000;
const KEYS = 3;
const progress = { records: 0 };

const counting = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 3000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => {
      progress.records++;
      return { key: i % KEYS, count: 1 };
    })
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .collect('counts');
});

let s3: S3TestServer;
let dir: string;
before(async () => {
  s3 = await S3TestServer.start(['weir', 'moved']);
  dir = await mkdtemp(join(tmpdir(), 'weir-s3-savepoint-'));
});
after(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

type Count = { key: number; count: number };

test('a savepoint to S3, copied to another bucket and prefix, restores into a job checkpointing to files', async () => {
  const dispatcher = new Dispatcher();
  const first = await dispatcher.submit(counting, { config: { ...s3.config(), 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': 's3://weir/checkpoints' } });
  await eventually(() => (progress.records >= RECORDS / 3 && first.allTasksRunning() ? true : undefined), 30_000, 'a third of the records', () => progress.records);
  const location = await first.savepoint('s3://weir/savepoints', 'stop');
  assert.match(location, new RegExp(`^s3://weir/savepoints/savepoint-${first.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
  const firstCounts = (await first.done).collected.get('counts') as Count[];
  assert.ok(firstCounts.length < RECORDS, `the first job stopped early, after ${firstCounts.length} records`);

  // Move the savepoint: every object under its prefix to another bucket and prefix.
  const o = s3.objects();
  try {
    const prefix = `${location.slice('s3://weir/'.length)}/`;
    const { keys } = await o.list('weir', prefix);
    assert.deepEqual(keys.map((k) => k.slice(prefix.length)).filter((k) => k === '_metadata'), ['_metadata']);
    for (const k of keys) await o.copy('weir', k, 'moved', `elsewhere/sp-1/${k.slice(prefix.length)}`);
    await o.deleteKeys('weir', keys);
  } finally {
    o.close();
  }

  const second = await dispatcher.submit(counting, { config: { ...s3.config(), 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': join(dir, 'checkpoints'), 'execution.savepoint.path': 's3://moved/elsewhere/sp-1' } });
  const result = await second.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual(second.checkpoints.stats.lastRestore && { isSavepoint: second.checkpoints.stats.lastRestore.isSavepoint, externalPath: second.checkpoints.stats.lastRestore.externalPath }, { isSavepoint: true, externalPath: 's3://moved/elsewhere/sp-1' });
  const secondCounts = result.collected.get('counts') as Count[];
  // Each key's count goes on from where the first job's stopped, to its full total.
  for (let key = 0; key < KEYS; key++) {
    const before = firstCounts.filter((c) => c.key === key).map((c) => c.count);
    const after = secondCounts.filter((c) => c.key === key).map((c) => c.count);
    assert.equal(after[0], Math.max(...before) + 1, `key ${key} goes on from its saved count`);
    assert.equal(Math.max(...after), RECORDS / KEYS, `key ${key} ends at its total`);
  }
  assert.equal(firstCounts.length + secondCounts.length, RECORDS);
});
