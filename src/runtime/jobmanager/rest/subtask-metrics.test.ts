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

test('without get: the ids of the vertex\'s task metrics, not other vertices\' nor an operator\'s without a name', () => {
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

test('operator metrics under Flink\'s ids: the operator\'s name, then the metric with its key/value groups put back', () => {
  const op = (name: string, subtask: number, value: number, extra = '') =>
    `flink_taskmanager_job_task_operator_${name}{job_id="${JOB}",task_id="${V}",subtask_index="${subtask}",operator_id="x",operator_name="Source__in"${extra}} ${value}`;
  const text = [
    line('busyTimeMsPerSecond', 0, 200),
    op('pendingRecords', 0, 30),
    op('pendingRecords', 1, 12),
    op('KafkaSourceReader_topic_partition_currentOffset', 0, 41, ',topic="orders",partition="0"'),
    op('KafkaSourceReader_topic_partition_currentOffset', 1, 7, ',topic="orders",partition="1"'),
    op('KafkaSourceReader_commitsSucceeded', 0, 3),
  ].join('\n');
  assert.deepEqual(aggregatedSubtaskMetrics(text, JOB, V, q('')), [
    { id: 'Source__in.KafkaSourceReader.topic.orders.partition.0.currentOffset' },
    { id: 'Source__in.KafkaSourceReader.topic.orders.partition.1.currentOffset' },
    { id: 'Source__in.KafkaSourceReader_commitsSucceeded' },
    { id: 'Source__in.pendingRecords' },
    { id: 'busyTimeMsPerSecond' },
  ]);
  assert.deepEqual(aggregatedSubtaskMetrics(text, JOB, V, q('get=Source__in.pendingRecords&agg=sum,max')), [{ id: 'Source__in.pendingRecords', sum: 42, max: 30 }]);
  assert.deepEqual(aggregatedSubtaskMetrics(text, JOB, V, q('get=Source__in.pendingRecords&agg=sum&subtasks=1')), [{ id: 'Source__in.pendingRecords', sum: 12 }]);
});
