import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignSubtaskState } from './state-assignment.ts';
import type { SubtaskStateHandle } from './checkpoint-metadata.ts';

const op = (id: string, keyGroups: number[], list: unknown[] = [], union: unknown[] = []) => ({ id, uid: undefined, keyGroups, maxParallelism: 8, list, union });

/** Two subtasks of a vertex with a keyed operator 'k' and a source-like operator 's'. */
const former: SubtaskStateHandle[] = [
  { vertexId: 'v', subtask: 0, parallelism: 2, file: 'v-0.keys', stateSize: 10, operators: [op('k', [0, 2]), op('s', [], ['a', 'b'], ['w0'])] },
  { vertexId: 'v', subtask: 1, parallelism: 2, file: 'v-1.keys', stateSize: 10, operators: [op('k', [5, 7]), op('s', [], ['c'], ['w1'])] },
];

test('at the same parallelism every subtask gets back its own list entries and the keyed state of its key groups', () => {
  const r0 = assignSubtaskState(former, { operatorIds: ['k', 's'], parallelism: 2, maxParallelism: 8, subtask: 0 });
  const r1 = assignSubtaskState(former, { operatorIds: ['k', 's'], parallelism: 2, maxParallelism: 8, subtask: 1 });
  assert.deepEqual(r0.get('s')!.context, { restored: true, list: ['a', 'b'], union: ['w0', 'w1'] });
  assert.deepEqual(r1.get('s')!.context, { restored: true, list: ['c'], union: ['w0', 'w1'] });
  assert.deepEqual(r0.get('k')!.keyedFiles, ['v-0.keys']);
  assert.deepEqual(r1.get('k')!.keyedFiles, ['v-1.keys']);
});

test('at another parallelism list entries are dealt round-robin and keyed state follows the key-group ranges', () => {
  // Parallelism 3 of maxParallelism 8: ranges 0-2, 3-5, 6-7.
  const r = [0, 1, 2].map((subtask) => assignSubtaskState(former, { operatorIds: ['k', 's'], parallelism: 3, maxParallelism: 8, subtask }));
  assert.deepEqual(r.map((x) => x.get('s')!.context.list), [['a'], ['b'], ['c']]);
  assert.deepEqual(r.map((x) => x.get('k')!.keyedFiles), [['v-0.keys'], ['v-1.keys'], ['v-1.keys']]);
  const one = assignSubtaskState(former, { operatorIds: ['k', 's', 'new'], parallelism: 1, maxParallelism: 8, subtask: 0 });
  assert.deepEqual(one.get('s')!.context.list, ['a', 'b', 'c']);
  assert.deepEqual(one.get('k')!.keyedFiles, ['v-0.keys', 'v-1.keys']);
  assert.equal(one.has('new'), false); // an operator the checkpoint does not know starts fresh
});
