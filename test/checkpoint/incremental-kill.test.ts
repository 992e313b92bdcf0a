/**
 * The exactly-once kill test (kill-taskmanagers.test.ts) with incremental checkpoints: on
 * RocksDB to file://, and on the heap backend to S3 (s3rver). Keyed state is only in
 * `<jobId>/shared/` (no full `.keys` file in any checkpoint), every restart restores it from
 * there, and the committed output holds every sequence number of every key exactly once
 * with the count an uninterrupted run gives.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bySequence, runWithKills } from '../support/chaos-cluster.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

let s3: S3TestServer;
before(async () => (s3 = await S3TestServer.start(['weir'])));
after(() => s3.close());

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

function assertIncremental(files: readonly string[]): void {
  assert.ok(files.some((f) => /^shared\/\d+-.+\.kgs$/.test(f)), `shared files among ${files.join(', ')}`);
  assert.deepEqual(files.filter((f) => f.endsWith('.keys')), [], 'no full keyed state file');
}

function assertExactlyOnce(lines: string[], records: number): void {
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
  for (const [id, counts] of seqs) assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}`);
}

test('RocksDB with incremental checkpoints to file://: TaskManager kills lose and duplicate nothing, with exact state', async () => {
  const records = 12_000;
  let inspected = false;
  const { lines, kills } = await runWithKills({
    mode: 'EXACTLY_ONCE',
    kills: 2,
    records,
    rate: 1500,
    config: ['-Dstate.backend.type=rocksdb', '-Dstate.backend.incremental=true'],
    inspect: async (checkpoints, jobId) => {
      assertIncremental(await filesUnder(join(checkpoints, jobId)));
      inspected = true;
    },
  });
  assert.equal(kills, 2);
  assert.ok(inspected);
  assertExactlyOnce(lines, records);
});

test('heap backend with incremental checkpoints to s3://: TaskManager kills lose and duplicate nothing, with exact state', async () => {
  const records = 12_000;
  let inspected = false;
  const { lines, kills } = await runWithKills({
    mode: 'EXACTLY_ONCE',
    kills: 2,
    records,
    rate: 1500,
    s3,
    config: ['-Dstate.backend.incremental=true'],
    inspect: async (checkpoints, jobId) => {
      const prefix = `${checkpoints.slice('s3://weir/'.length)}/${jobId}/`;
      const o = s3.objects();
      try {
        assertIncremental((await o.list('weir', prefix)).keys.map((k) => k.slice(prefix.length)));
      } finally {
        o.close();
      }
      inspected = true;
    },
  });
  assert.equal(kills, 2);
  assert.ok(inspected);
  assertExactlyOnce(lines, records);
});
