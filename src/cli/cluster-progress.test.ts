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
  assert.deepEqual(clusterTotals(text), { recordsIn: 1000, recordsOut: 250, watermark: 1767225600000, backPressuredMsPerSecond: 730, restarts: 2, checkpoint: undefined });
  assert.deepEqual(clusterTotals(''), { recordsIn: 0, recordsOut: 0, watermark: -Infinity, backPressuredMsPerSecond: 0, restarts: 0, checkpoint: undefined });
});

test('the progress line shows rates between two scrapes', () => {
  const before = { recordsIn: 0, recordsOut: 0, watermark: -Infinity, backPressuredMsPerSecond: 0, restarts: 0, checkpoint: undefined };
  assert.equal(progressLine(clusterTotals(text), before, 2), 'weir: in 500/s, out 125/s, watermark 2026-01-01T00:00:00.000Z, backpressure 73%, restarts 2');
});

test('with checkpoints, the line ends with the last completed one and any failures', () => {
  const before = clusterTotals('');
  const chk = (id: number, failed: number) =>
    clusterTotals(`${text}\nflink_jobmanager_job_lastCompletedCheckpointId{job_id="a"} ${id}\nflink_jobmanager_job_lastCheckpointDuration{job_id="a"} ${id < 0 ? -1 : 3}\nflink_jobmanager_job_numberOfFailedCheckpoints{job_id="a"} ${failed}`);
  assert.match(progressLine(chk(12, 0), before, 2), /restarts 2, chk 12 ok, 3 ms$/);
  assert.match(progressLine(chk(12, 1), before, 2), /restarts 2, chk 12 ok, 3 ms \(1 failed\)$/);
  assert.match(progressLine(chk(-1, 2), before, 2), /restarts 2, no checkpoint completed yet \(2 failed\)$/);
  assert.match(progressLine(chk(-1, 0), before, 2), /restarts 2$/);
});
