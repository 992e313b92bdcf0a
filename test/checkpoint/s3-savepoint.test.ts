/**
 * Savepoints on S3 are relocatable: a job checkpointing to S3 stops with a savepoint to S3
 * (its state files copied server-side); the savepoint's objects are copied to another bucket
 * and prefix and deleted where they were, and a job checkpointing to a local directory
 * restores from the copy, its counts going on exactly where the first job's stopped. A job
 * checkpointing to files can take its savepoint to S3 as well.
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

/**
 * Runs the job checkpointing to `firstDir` until a third of the records, stops it with a
 * savepoint to `target`, lets `move` relocate it, and restores a job checkpointing to
 * `secondDir` from where it then is; the counts must go on exactly.
 */
async function stopAndRestore(firstDir: string, target: string, secondDir: string, move: (location: string) => Promise<string>): Promise<void> {
  progress.records = 0;
  const dispatcher = new Dispatcher();
  const first = await dispatcher.submit(counting, { config: { ...s3.config(), 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': firstDir } });
  await eventually(() => (progress.records >= RECORDS / 3 && first.allTasksRunning() ? true : undefined), 30_000, 'a third of the records', () => progress.records);
  const location = await first.savepoint(target, 'stop');
  assert.match(location, new RegExp(`^${target}/savepoint-${first.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
  const firstCounts = (await first.done).collected.get('counts') as Count[];
  assert.ok(firstCounts.length < RECORDS, `the first job stopped early, after ${firstCounts.length} records`);
  const from = await move(location);

  const second = await dispatcher.submit(counting, { config: { ...s3.config(), 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': secondDir, 'execution.savepoint.path': from } });
  const result = await second.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const restore = second.checkpoints.stats.lastRestore;
  assert.deepEqual(restore && { isSavepoint: restore.isSavepoint, externalPath: restore.externalPath }, { isSavepoint: true, externalPath: from });
  const secondCounts = result.collected.get('counts') as Count[];
  // Each key's count goes on from where the first job's stopped, to its full total.
  for (let key = 0; key < KEYS; key++) {
    const before = firstCounts.filter((c) => c.key === key).map((c) => c.count);
    const after = secondCounts.filter((c) => c.key === key).map((c) => c.count);
    assert.equal(after[0], Math.max(...before) + 1, `key ${key} goes on from its saved count`);
    assert.equal(Math.max(...after), RECORDS / KEYS, `key ${key} ends at its total`);
  }
  assert.equal(firstCounts.length + secondCounts.length, RECORDS);
}

test('a savepoint to S3, copied to another bucket and prefix, restores into a job checkpointing to files', async () => {
  await stopAndRestore('s3://weir/checkpoints', 's3://weir/savepoints', join(dir, 'checkpoints'), async (location) => {
    // Move the savepoint: every object under its prefix to another bucket and prefix.
    const o = s3.objects();
    try {
      const prefix = `${location.slice('s3://weir/'.length)}/`;
      const { keys } = await o.list('weir', prefix);
      assert.ok(keys.includes(`${prefix}_metadata`), JSON.stringify(keys));
      for (const k of keys) await o.copy('weir', k, 'moved', `elsewhere/sp-1/${k.slice(prefix.length)}`);
      await o.deleteKeys('weir', keys);
    } finally {
      o.close();
    }
    return 's3://moved/elsewhere/sp-1';
  });
});

test('a job checkpointing to files takes its savepoint to S3 (its files copied across), and a job on S3 restores from it', async () => {
  await stopAndRestore(join(dir, 'file-checkpoints'), 's3://weir/from-files', 's3://weir/after-files', async (location) => location);
});
