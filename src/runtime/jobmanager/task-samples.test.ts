import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobTaskSamples, vertexBackPressure } from './task-samples.ts';

const JOB = '0123456789abcdef0123456789abcdef';

test('backpressure of a vertex without task metrics: Flink\'s "deprecated" status and no level', () => {
  assert.deepEqual(vertexBackPressure(undefined, 5), { status: 'deprecated' });
  assert.deepEqual(vertexBackPressure([], 5), { status: 'deprecated' });
});

test('backpressure per subtask from the task metrics: ratios, levels, and the worst level for the vertex', () => {
  const text = [
    `flink_taskmanager_job_task_backPressuredTimeMsPerSecond{job_id="${JOB}",task_id="v1",subtask_index="1"} 600`,
    `flink_taskmanager_job_task_idleTimeMsPerSecond{job_id="${JOB}",task_id="v1",subtask_index="1"} 100`,
    `flink_taskmanager_job_task_busyTimeMsPerSecond{job_id="${JOB}",task_id="v1",subtask_index="1"} 250`,
    `flink_taskmanager_job_task_backPressuredTimeMsPerSecond{job_id="${JOB}",task_id="v1",subtask_index="0"} 100`,
    `flink_taskmanager_job_task_idleTimeMsPerSecond{job_id="${JOB}",task_id="v1",subtask_index="0"} 900`,
    `flink_taskmanager_job_task_busyTimeMsPerSecond{job_id="${JOB}",task_id="v1",subtask_index="0"} 0`,
    `flink_taskmanager_job_task_backPressuredTimeMsPerSecond{job_id="another",task_id="v1",subtask_index="2"} 1000`,
  ].join('\n');
  const times = jobTaskSamples(text, JOB).times;
  assert.deepEqual(vertexBackPressure(times.get('v1'), 5), {
    status: 'ok',
    'backpressure-level': 'high',
    'end-timestamp': 5,
    subtasks: [
      { subtask: 0, 'backpressure-level': 'ok', ratio: 0.1, idleRatio: 0.9, busyRatio: 0 },
      { subtask: 1, 'backpressure-level': 'high', ratio: 0.6, idleRatio: 0.1, busyRatio: 0.25 },
    ],
  });
  assert.equal(times.get('v2'), undefined);
});
