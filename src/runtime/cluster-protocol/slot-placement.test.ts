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
const offer = (owner: string, index: number, port: number) => ({ owner, index, address: { host: '127.0.0.1', port } });

test('a job needs as many slots as its widest vertex, and takes the first ones offered', () => {
  const g = graph(1, 3, 2);
  assert.equal(slotsNeeded(g), 3);
  assert.equal(placeSubtasks(g, [offer('tm-a', 0, 1), offer('tm-a', 1, 2)]), undefined);
  // Slot 0 of tm-a is taken (not offered): the job gets tm-a's slots 1 and 2, then tm-b's slot 0.
  assert.deepEqual(placeSubtasks(g, [offer('tm-a', 1, 2), offer('tm-a', 2, 3), offer('tm-b', 0, 4), offer('tm-b', 1, 5)]), {
    slotOwners: ['tm-a', 'tm-a', 'tm-b'],
    slotIndexes: [1, 2, 0],
    slotAddresses: [
      { host: '127.0.0.1', port: 2 },
      { host: '127.0.0.1', port: 3 },
      { host: '127.0.0.1', port: 4 },
    ],
  });
});

test('a TaskManager runs each subtask index it is given in the slot the JobManager named', () => {
  const placement = { slotOwners: ['tm-a', 'tm-b', 'tm-a', 'tm-b', 'tm-b'], slotIndexes: [2, 0, 1, 1, 3] };
  assert.deepEqual(localAssignments(placement, 'tm-a'), [
    { slot: 2, subtask: 0 },
    { slot: 1, subtask: 2 },
  ]);
  assert.deepEqual(localAssignments(placement, 'tm-b'), [
    { slot: 0, subtask: 1 },
    { slot: 1, subtask: 3 },
    { slot: 3, subtask: 4 },
  ]);
  assert.deepEqual(localAssignments(placement, 'tm-c'), []);
});
