/**
 * The CheckpointStorage contract, run against the file system and against S3 (s3rver):
 * the same calls give the same answers, byte for byte, and the same error codes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CheckpointMetadata } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import type { CheckpointStorage } from '../../src/runtime/checkpoint/storage/checkpoint-storage.ts';
import { openCheckpointStorage } from '../../src/runtime/checkpoint/storage/open-checkpoint-storage.ts';
import { childLocation } from '../../src/runtime/checkpoint/storage/storage-location.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

const JOB = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function metadata(checkpointId: number): CheckpointMetadata {
  return {
    jobId: JOB,
    checkpointId,
    timestamp: 1_700_000_000_000 + checkpointId,
    savepoint: false,
    subtasks: [{ vertexId: 'v1', subtask: 0, parallelism: 1, file: 'v1-0.keys', stateSize: 3, operators: [{ id: 'op', uid: 'sums', keyGroups: [0, 5], maxParallelism: 128, list: [[1, 2]], union: ['w'] }] }],
  };
}

const bytes = (...values: number[]) => new Uint8Array(values);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: { code?: string }) => {
    assert.equal(err.code, code);
    return true;
  });
}

function contract(kind: string, open: () => Promise<CheckpointStorage>): void {
  describe(`${kind} checkpoint storage`, () => {
    let storage: CheckpointStorage;
    before(async () => (storage = await open()));
    after(() => storage.close());

    test('state files read back as written; a directory lists its files, not its sub-directories', async () => {
      const chk = storage.checkpointDir(JOB, 1);
      assert.equal(await storage.writeStateFile(chk, 'v1-0.keys', bytes(1, 2, 3)), 3);
      assert.equal(await storage.writeStateFile(chk, 'v2-1.keys', bytes()), 0);
      assert.deepEqual([...(await storage.readStateFile(chk, 'v1-0.keys'))], [1, 2, 3]);
      assert.deepEqual([...(await storage.readStateFile(chk, 'v2-1.keys'))], []);
      assert.deepEqual(await storage.listFiles(chk), ['v1-0.keys', 'v2-1.keys']);
      assert.deepEqual(await storage.listFiles(storage.jobDir(JOB)), []);
      assert.deepEqual(await storage.listFiles(storage.checkpointDir(JOB, 99)), []);
      await rejectsWith(storage.readStateFile(chk, 'v3-0.keys'), 'CORRUPT_CHECKPOINT');
    });

    test('a file larger than a multipart part (on S3, a multipart upload) reads back whole', async () => {
      const big = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 7) % 251);
      const chk = storage.checkpointDir(JOB, 1);
      assert.equal(await storage.writeStateFile(chk, 'big.keys', big), big.byteLength);
      assert.ok(Buffer.from(await storage.readStateFile(chk, 'big.keys')).equals(big));
      assert.deepEqual(await storage.listFiles(chk), ['big.keys', 'v1-0.keys', 'v2-1.keys']);
    });

    test('only checkpoints with _metadata exist, newest first; metadata reads back from the directory or the file', async () => {
      await storage.writeStateFile(storage.checkpointDir(JOB, 2), 'v1-0.keys', bytes(2));
      await storage.writeMetadata(storage.checkpointDir(JOB, 2), metadata(2));
      await storage.writeMetadata(storage.checkpointDir(JOB, 10), metadata(10));
      assert.deepEqual(await storage.completedCheckpointIds(JOB), [10, 2]);
      const byDir = await storage.readMetadata(storage.checkpointDir(JOB, 2));
      assert.deepEqual(byDir, { dir: storage.checkpointDir(JOB, 2), metadata: metadata(2) });
      assert.deepEqual(await storage.readMetadata(childLocation(storage.checkpointDir(JOB, 2), '_metadata')), byDir);
      await rejectsWith(storage.readMetadata(storage.checkpointDir(JOB, 1)), 'CHECKPOINT_NOT_FOUND');
      await rejectsWith(storage.readMetadata(storage.checkpointDir(JOB, 7)), 'CHECKPOINT_NOT_FOUND');
      assert.deepEqual(await storage.completedCheckpointIds('no-such-job'), []);
    });

    test('shared files by name: written, read, listed and deleted (deleting twice is no error)', async () => {
      assert.equal(await storage.writeSharedFile(JOB, 'sst-000001', bytes(9, 9)), 2);
      await storage.writeSharedFile(JOB, 'sst-000002', bytes(7));
      assert.deepEqual([...(await storage.readSharedFile(JOB, 'sst-000001'))], [9, 9]);
      assert.deepEqual(await storage.listFiles(storage.sharedDir(JOB)), ['sst-000001', 'sst-000002']);
      await storage.deleteSharedFile(JOB, 'sst-000001');
      await storage.deleteSharedFile(JOB, 'sst-000001');
      assert.deepEqual(await storage.listFiles(storage.sharedDir(JOB)), ['sst-000002']);
      await rejectsWith(storage.readSharedFile(JOB, 'sst-000001'), 'CORRUPT_CHECKPOINT');
    });

    test('state files copy to another directory (a savepoint), which then reads as its own checkpoint', async () => {
      const target = childLocation(storage.baseDir, 'savepoints/savepoint-a1b2c3-000000000001');
      await storage.copyStateFiles(storage.checkpointDir(JOB, 2), target, ['v1-0.keys']);
      await storage.writeMetadata(target, { ...metadata(2), savepoint: true });
      assert.deepEqual(await storage.listFiles(target), ['_metadata', 'v1-0.keys']);
      assert.deepEqual([...(await storage.readStateFile(target, 'v1-0.keys'))], [2]);
      assert.deepEqual((await storage.readMetadata(target)).metadata, { ...metadata(2), savepoint: true });
    });

    test('discarding a checkpoint removes it whole; discarding the job removes the rest', async () => {
      await storage.discard(storage.checkpointDir(JOB, 2));
      assert.deepEqual(await storage.completedCheckpointIds(JOB), [10]);
      assert.deepEqual(await storage.listFiles(storage.checkpointDir(JOB, 2)), []);
      await storage.discard(storage.checkpointDir(JOB, 2));
      await storage.discardJob(JOB);
      assert.deepEqual(await storage.completedCheckpointIds(JOB), []);
      assert.deepEqual(await storage.listFiles(storage.sharedDir(JOB)), []);
      assert.deepEqual(await storage.listFiles(storage.checkpointDir(JOB, 1)), []);
    });
  });
}

let dir: string;
let s3: S3TestServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weir-storage-contract-'));
  s3 = await S3TestServer.start(['weir']);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await s3.close();
});

contract('file', async () => openCheckpointStorage(`file://${join(dir, 'chk')}`, new Map()));
contract('s3', async () => openCheckpointStorage('s3://weir/checkpoints', new Map(Object.entries(s3.config()))));

test('s3: listings page past 1000 keys, and discarding deletes them all', async () => {
  const storage = openCheckpointStorage('s3://weir/paging', new Map(Object.entries(s3.config())));
  try {
    const names = Array.from({ length: 1001 }, (_, i) => `sst-${String(i).padStart(6, '0')}`);
    for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => storage.writeSharedFile(JOB, n, bytes(1))));
    assert.deepEqual(await storage.listFiles(storage.sharedDir(JOB)), names);
    await storage.discardJob(JOB);
    assert.deepEqual(await storage.listFiles(storage.sharedDir(JOB)), []);
  } finally {
    storage.close();
  }
});
