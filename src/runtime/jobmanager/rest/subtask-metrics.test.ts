import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedSubtaskMetrics } from './subtask-metrics.ts';

const JOB = 'a'.repeat(32);
const V = 'b'.repeat(32);
const line = (name: string, subtask: number, value: number, task = V) => `flink_taskmanager_job_task_${name}{job_id="${JOB}",task_id="${task}",subtask_index="${subtask}"} ${value}`;
const TEXT = [
  line('busyTimeMsPerSecond', 0, 200),
  line('busyTimeMsPerSecond', 1, 600),
  line('numRecordsInPerSecond', 0, 100),
  line('numRecordsInPerSecond', 1, 300),
  line('busyTimeMsPerSecond', 0, 999, 'c'.repeat(32)),
  `flink_taskmanager_job_task_operator_numRecordsIn{job_id="${JOB}",task_id="${V}",subtask_index="0",operator_id="x"} 5`,
].join('\n');

const q = (s: string) => new URLSearchParams(s);

test('without get: the ids of the vertex\'s task metrics, not its operators\' nor other vertices\'', () => {
  assert.deepEqual(aggregatedSubtaskMetrics(TEXT, JOB, V, q('')), [{ id: 'busyTimeMsPerSecond' }, { id: 'numRecordsInPerSecond' }]);
});

test('get: min, max, avg and sum over the subtasks; agg and subtasks narrow it', () => {
  assert.deepEqual(aggregatedSubtaskMetrics(TEXT, JOB, V, q('get=busyTimeMsPerSecond,numRecordsInPerSecond,nope')), [
    { id: 'busyTimeMsPerSecond', min: 200, max: 600, avg: 400, sum: 800 },
    { id: 'numRecordsInPerSecond', min: 100, max: 300, avg: 200, sum: 400 },
  ]);
  assert.deepEqual(aggregatedSubtaskMetrics(TEXT, JOB, V, q('get=busyTimeMsPerSecond&agg=max&subtasks=0')), [{ id: 'busyTimeMsPerSecond', max: 200 }]);
});

test('an unknown aggregate or subtask index is a 400', () => {
  assert.throws(() => aggregatedSubtaskMetrics(TEXT, JOB, V, q('get=busyTimeMsPerSecond&agg=median')), { status: 400 });
  assert.throws(() => aggregatedSubtaskMetrics(TEXT, JOB, V, q('get=busyTimeMsPerSecond&subtasks=x')), { status: 400 });
});
