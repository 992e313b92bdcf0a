import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnconfirmedChanges } from './unconfirmed-changes.ts';

const changes = (backend: string, seq: number) => ({ backend, seq, keyGroups: new Map([[seq, new Uint8Array([seq])]]) });
const groups = (r: ReadonlyMap<number, Uint8Array>[] | undefined) => r?.map((m) => [...m.keys()]);

test('the changes since an epoch are those of every later snapshot of its backend, or none when one is missing', () => {
  const u = new UnconfirmedChanges();
  for (const seq of [3, 4, 5]) u.add('op', changes('b1', seq));
  u.add('op', changes('b1', 4)); // recorded twice (a savepoint's and an upload's call): kept once
  assert.deepEqual(groups(u.since('op', { backend: 'b1', seq: 2 }, changes('b1', 5))), [[3], [4], [5]]);
  assert.deepEqual(groups(u.since('op', { backend: 'b1', seq: 4 }, changes('b1', 5))), [[5]]);
  // Snapshot 2 was never recorded (its capture was discarded): no delta can start before it.
  assert.equal(u.since('op', { backend: 'b1', seq: 1 }, changes('b1', 5)), undefined);
  // Another backend instance (a restarted task) continues nothing.
  assert.equal(u.since('op', { backend: 'b0', seq: 2 }, changes('b1', 5)), undefined);
  // A restored base: the backend's snapshots from its first on.
  u.add('op', changes('b2', 1));
  assert.deepEqual(groups(u.since('op', { backend: undefined, seq: 0 }, changes('b2', 1))), [[1]]);
  assert.equal(u.since('other', { backend: 'b1', seq: 2 }, changes('b1', 3)), undefined);
});

test('a completed checkpoint drops what it holds and the changes of other backends; operators it lacks lose theirs', () => {
  const u = new UnconfirmedChanges();
  for (const seq of [1, 2, 3]) u.add('op', changes('b1', seq));
  u.add('op', changes('b0', 7));
  u.add('gone', changes('b1', 1));
  u.confirmed(new Map([['op', { backend: 'b1', seq: 2 }]]));
  assert.deepEqual(groups(u.since('op', { backend: 'b1', seq: 2 }, changes('b1', 3))), [[3]]);
  assert.equal(u.since('op', { backend: 'b1', seq: 1 }, changes('b1', 3)), undefined);
  assert.equal(u.since('gone', { backend: 'b1', seq: 0 }, changes('b1', 1)), undefined);
});

test('past 64 snapshots without a completion the oldest go: the next upload is full', () => {
  const u = new UnconfirmedChanges();
  for (let seq = 1; seq <= 65; seq++) u.add('op', changes('b1', seq));
  assert.equal(u.since('op', { backend: 'b1', seq: 0 }, changes('b1', 65)), undefined);
  assert.equal(groups(u.since('op', { backend: 'b1', seq: 1 }, changes('b1', 65)))!.length, 64);
});
