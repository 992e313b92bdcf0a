import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckpointMetadata, SharedStateRef } from '../checkpoint-metadata.ts';
import { SharedStateRegistry, sharedFileName } from './shared-state-registry.ts';

const ref = (name: string, checkpointId: number): SharedStateRef => ({ name, checkpointId, size: 1, operators: [{ id: 'op', keyGroups: [0] }] });

/** A checkpoint whose two subtasks reference `files` (each [name, written by]). */
function checkpoint(id: number, ...files: [string, number][]): CheckpointMetadata {
  const shared = files.map(([n, by]) => ref(n, by));
  return {
    jobId: 'j',
    checkpointId: id,
    timestamp: 0,
    savepoint: false,
    subtasks: [0, 1].map((subtask) => ({ vertexId: 'v', subtask, parallelism: 2, file: undefined, stateSize: 1, operators: [], shared: subtask === 0 ? shared : shared.slice(0, 1) })),
  };
}

test('a file is released when the last retained checkpoint referencing it is, however many subtasks list it', () => {
  const r = new SharedStateRegistry();
  const c1 = checkpoint(1, ['a', 1], ['b', 1]);
  const c2 = checkpoint(2, ['a', 1], ['c', 2]);
  r.register(c1);
  r.register(c2);
  assert.deepEqual(r.release(c1), ['b']);
  assert.ok(r.has('a'));
  assert.deepEqual(r.release(c2), ['a', 'c']);
});

test('a completing checkpoint may reference its own new files and retained ones, nothing else', () => {
  const r = new SharedStateRegistry();
  r.register(checkpoint(1, ['a', 1]));
  assert.deepEqual(r.missing(checkpoint(2, ['a', 1], ['n', 2])), []);
  // Built on checkpoint 1 after it was subsumed and its file released.
  r.release(checkpoint(1, ['a', 1]));
  assert.deepEqual(r.missing(checkpoint(3, ['a', 1], ['m', 3])).map((x) => x.name), ['a']);
});

test('an aborted checkpoint leaves only its own unreferenced files to delete; the sweep after a restart only older ones', () => {
  const r = new SharedStateRegistry();
  r.register(checkpoint(4, ['4-v-0-aa.kgs', 4]));
  assert.deepEqual(r.writtenFor(5, [ref('4-v-0-aa.kgs', 4), ref('5-v-0-bb.kgs', 5), ref('5-v-0-bb.kgs', 5)]), ['5-v-0-bb.kgs']);
  const names = ['4-v-0-aa.kgs', '5-v-0-bb.kgs', '7-v-1-cc.kgs', 'not-ours.txt'];
  assert.deepEqual(r.orphans(names, 7), ['5-v-0-bb.kgs']);
  assert.equal(sharedFileName(12, 'abc', 3, 'ff00'), '12-abc-3-ff00.kgs');
});
