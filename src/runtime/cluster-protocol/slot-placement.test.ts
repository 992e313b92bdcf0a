import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobGraph } from '../graph/job-graph.ts';
import { localAssignments, placeSubtasks, slotsNeeded } from './slot-placement.ts';

const graph = (...parallelisms: number[]): JobGraph => ({
  jobName: 'j',
  planHash: 'h',
  edges: [],
  vertices: parallelisms.map((parallelism, i) => ({ id: `v${i}`, uid: undefined, name: `v${i}`, parallelism, maxParallelism: 128, chain: [`v${i}`], operators: [] })),
});
const offer = (owner: string, port: number) => ({ owner, address: { host: '127.0.0.1', port } });

test('a job needs as many slots as its widest vertex, and takes the first ones offered', () => {
  const g = graph(1, 3, 2);
  assert.equal(slotsNeeded(g), 3);
  assert.equal(placeSubtasks(g, [offer('tm-a', 1), offer('tm-a', 2)]), undefined);
  assert.deepEqual(placeSubtasks(g, [offer('tm-a', 1), offer('tm-a', 2), offer('tm-b', 3), offer('tm-b', 4)]), {
    slotOwners: ['tm-a', 'tm-a', 'tm-b'],
    slotAddresses: [
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
      { host: '127.0.0.1', port: 3 },
    ],
  });
});

test('a TaskManager runs the k-th subtask index it is given in its slot k', () => {
  const owners = ['tm-a', 'tm-b', 'tm-a', 'tm-b', 'tm-b'];
  assert.deepEqual(localAssignments(owners, 'tm-a'), [
    { slot: 0, subtask: 0 },
    { slot: 1, subtask: 2 },
  ]);
  assert.deepEqual(localAssignments(owners, 'tm-b'), [
    { slot: 0, subtask: 1 },
    { slot: 1, subtask: 3 },
    { slot: 2, subtask: 4 },
  ]);
  assert.deepEqual(localAssignments(owners, 'tm-c'), []);
});
