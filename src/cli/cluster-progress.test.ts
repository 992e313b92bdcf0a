import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterTotals, progressLine } from './cluster-progress.ts';

const text = [
  'flink_taskmanager_job_task_operator_numRecordsOut{operator_name="Source__gen",task_name="Source__gen____Map"} 600',
  'flink_taskmanager_job_task_operator_numRecordsOut{operator_name="Source__gen",task_name="Source__gen____Map"} 400',
  'flink_taskmanager_job_task_operator_numRecordsOut{operator_name="Map",task_name="Source__gen____Map"} 1000',
  'flink_taskmanager_job_task_operator_numRecordsIn{operator_name="Sink__Print_to_Std__Out",task_name="KeyedProcess____Sink"} 250',
  'flink_taskmanager_job_task_currentInputWatermark{task_name="Source__gen____Map"} -9223372036854775808',
  'flink_taskmanager_job_task_currentInputWatermark{task_name="KeyedProcess____Sink"} 1767225600000',
  'flink_taskmanager_job_task_currentInputWatermark{task_name="KeyedProcess____Sink"} 1767225601000',
  'flink_taskmanager_job_task_backPressuredTimeMsPerSecond{task_name="Source__gen____Map"} 730',
  'flink_jobmanager_job_numRestarts{job_id="a"} 2',
].join('\n');

test('totals: sources read, sinks wrote, lowest non-source watermark, worst backpressure, restarts', () => {
  assert.deepEqual(clusterTotals(text), { recordsIn: 1000, recordsOut: 250, watermark: 1767225600000, backPressuredMsPerSecond: 730, restarts: 2 });
  assert.deepEqual(clusterTotals(''), { recordsIn: 0, recordsOut: 0, watermark: -Infinity, backPressuredMsPerSecond: 0, restarts: 0 });
});

test('the progress line shows rates between two scrapes', () => {
  const before = { recordsIn: 0, recordsOut: 0, watermark: -Infinity, backPressuredMsPerSecond: 0, restarts: 0 };
  assert.equal(progressLine(clusterTotals(text), before, 2), 'weir: in 500/s, out 125/s, watermark 2026-01-01T00:00:00.000Z, backpressure 73%, restarts 2');
});
