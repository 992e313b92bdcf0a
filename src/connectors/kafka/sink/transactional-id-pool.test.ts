import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionalIdPool } from './transactional-id-pool.ts';

test('a committed id is free again only after a checkpoint taken after its commit completed', () => {
  const pool = new TransactionalIdPool(['a', 'b', 'c', 'd']);
  assert.equal(pool.take(), 'a');
  pool.snapshotTaken(1);
  assert.equal(pool.take(), 'b');
  pool.checkpointCompleted(1);
  pool.committed('a');
  // Checkpoint 1 recorded 'a': until a later checkpoint completes, a restore may commit it again.
  pool.snapshotTaken(2);
  assert.equal(pool.take(), 'c');
  pool.checkpointCompleted(2);
  pool.committed('b');
  assert.equal(pool.take(), 'a');
  pool.snapshotTaken(3);
  // 'b' committed before checkpoint 3's snapshot, which has not completed yet.
  assert.equal(pool.take(), 'd');
  assert.equal(pool.take(), undefined);
  pool.checkpointCompleted(3);
  assert.equal(pool.take(), 'b');
});

test('a commit reported after a snapshot began waits for the next checkpoint; an aborted id is free at once', () => {
  const pool = new TransactionalIdPool(['a', 'b', 'c']);
  assert.equal(pool.take(), 'a');
  assert.equal(pool.take(), 'b');
  pool.snapshotTaken(4);
  pool.committed('a');
  pool.checkpointCompleted(4);
  assert.equal(pool.take(), 'c');
  assert.equal(pool.take(), undefined);
  pool.aborted('c');
  assert.equal(pool.take(), 'c');
  // A checkpoint that completes with a higher id covers the ones before it.
  pool.snapshotTaken(5);
  pool.checkpointCompleted(7);
  assert.equal(pool.take(), 'a');
});

test('a restored transaction of an id not held does not hold it', () => {
  const pool = new TransactionalIdPool(['a', 'b']);
  pool.committed('a');
  pool.snapshotTaken(1);
  pool.checkpointCompleted(1);
  assert.equal(pool.take(), 'a');
  assert.equal(pool.take(), 'b');
});
