import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobGraph } from '../graph/job-graph.ts';
import { SubtaskStates } from './subtask-states.ts';

const graph: JobGraph = {
  jobName: 'j',
  planHash: 'h',
  edges: [],
  vertices: [
    { id: 'a', uid: undefined, name: 'a', parallelism: 2, maxParallelism: 128, chain: ['a'], operators: [] },
    { id: 'b', uid: undefined, name: 'b', parallelism: 3, maxParallelism: 128, chain: ['b'], operators: [] },
  ],
};
const dump = (s: SubtaskStates) => Object.fromEntries([...s.all()].map(([k, v]) => [k, [...v]]));

test('scheduler states, reports, a lost TaskManager and the end of the attempt, in that order', () => {
  const s = new SubtaskStates(graph);
  assert.deepEqual(dump(s), { a: ['CREATED', 'CREATED'], b: ['CREATED', 'CREATED', 'CREATED'] });
  s.setAll('SCHEDULED');
  s.setAll('DEPLOYING');
  s.set('a', 0, 'RUNNING');
  s.set('b', 2, 'FINISHED');
  s.set('b', 2, 'RUNNING'); // an ended subtask does not come back
  s.set('b', 9, 'RUNNING'); // no such subtask: ignored
  // The TaskManager running subtask index 1 of every vertex is lost.
  s.setWhere((i) => i === 1, 'FAILED');
  assert.deepEqual(dump(s), { a: ['RUNNING', 'FAILED'], b: ['DEPLOYING', 'FAILED', 'FINISHED'] });
  s.settle('FAILED');
  assert.deepEqual(dump(s), { a: ['CANCELED', 'FAILED'], b: ['CANCELED', 'FAILED', 'FINISHED'] });
});
