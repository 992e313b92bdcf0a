import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobGraph } from '../graph/job-graph.ts';
import { SubtaskStates, subtaskTimes, vertexTimes } from './subtask-states.ts';

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

test('each subtask keeps when it was deployed and last changed; a vertex has Flink\'s start, end and duration', () => {
  let now = 100;
  const s = new SubtaskStates(graph, 'CREATED', () => now);
  const a = () => ({ states: s.all().get('a')!, stamps: s.timestamps().get('a')! });
  assert.deepEqual(vertexTimes(a().states, a().stamps, 150), { 'start-time': -1, 'end-time': -1, duration: -1 });
  now = 110;
  s.setAll('SCHEDULED');
  now = 120;
  s.setAll('DEPLOYING');
  now = 130;
  s.set('a', 0, 'RUNNING');
  s.set('a', 0, 'RUNNING'); // no change: its time stays
  assert.deepEqual(a().stamps, [
    { deployed: 120, changed: 130 },
    { deployed: 120, changed: 120 },
  ]);
  assert.deepEqual(vertexTimes(a().states, a().stamps, 150), { 'start-time': 120, 'end-time': -1, duration: 30 });
  assert.deepEqual(subtaskTimes('RUNNING', a().stamps[0], 150), { 'start-time': 120, 'end-time': -1, duration: 30 });
  now = 140;
  s.set('a', 0, 'FINISHED');
  assert.deepEqual(subtaskTimes('FINISHED', a().stamps[0], 150), { 'start-time': 120, 'end-time': 140, duration: 20 });
  now = 170;
  s.settle('FINISHED');
  assert.deepEqual(vertexTimes(a().states, a().stamps, 999), { 'start-time': 120, 'end-time': 170, duration: 50 });
});
