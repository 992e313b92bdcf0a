import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyedStateSnapshot } from '../state/snapshot/keyed-state-snapshot.ts';
import { assignSubtaskState } from './state-assignment.ts';
import type { SubtaskSnapshot } from './subtask-state.ts';

const keyed = (...groups: number[]): KeyedStateSnapshot => ({ maxParallelism: 8, keyGroups: new Map(groups.map((g) => [g, Uint8Array.of(1, g)])) });

/** Two subtasks of a vertex with a keyed operator 'k' and a source-like operator 's'. */
const former: SubtaskSnapshot[] = [
  { vertexId: 'v', subtask: 0, parallelism: 2, checkpointId: 3, operators: new Map([['k', { keyed: keyed(0, 2) }], ['s', { operatorState: { list: ['a', 'b'], union: ['w0'] } }]]) },
  { vertexId: 'v', subtask: 1, parallelism: 2, checkpointId: 3, operators: new Map([['k', { keyed: keyed(5, 7) }], ['s', { operatorState: { list: ['c'], union: ['w1'] } }]]) },
];

test('at the same parallelism every subtask gets back its own list entries and the keyed state of its key groups', () => {
  const r0 = assignSubtaskState(former, { operatorIds: ['k', 's'], parallelism: 2, maxParallelism: 8, subtask: 0 });
  const r1 = assignSubtaskState(former, { operatorIds: ['k', 's'], parallelism: 2, maxParallelism: 8, subtask: 1 });
  assert.deepEqual(r0.get('s')!.context, { restored: true, list: ['a', 'b'], union: ['w0', 'w1'] });
  assert.deepEqual(r1.get('s')!.context, { restored: true, list: ['c'], union: ['w0', 'w1'] });
  assert.deepEqual(r0.get('k')!.keyed.map((k) => [...k.keyGroups.keys()]), [[0, 2]]);
  assert.deepEqual(r1.get('k')!.keyed.map((k) => [...k.keyGroups.keys()]), [[5, 7]]);
});

test('at another parallelism list entries are dealt round-robin and keyed state follows the key-group ranges', () => {
  // Parallelism 3 of maxParallelism 8: ranges 0-2, 3-5, 6-7.
  const r = [0, 1, 2].map((subtask) => assignSubtaskState(former, { operatorIds: ['k', 's'], parallelism: 3, maxParallelism: 8, subtask }));
  assert.deepEqual(r.map((x) => x.get('s')!.context.list), [['a'], ['b'], ['c']]);
  assert.deepEqual(r.map((x) => x.get('k')!.keyed.map((k) => [...k.keyGroups.keys()])), [[[0, 2]], [[5, 7]], [[5, 7]]]);
  const one = assignSubtaskState(former, { operatorIds: ['k', 's', 'new'], parallelism: 1, maxParallelism: 8, subtask: 0 });
  assert.deepEqual(one.get('s')!.context.list, ['a', 'b', 'c']);
  assert.equal(one.get('k')!.keyed.length, 2);
  assert.equal(one.has('new'), false); // an operator the checkpoint does not know starts fresh
});
