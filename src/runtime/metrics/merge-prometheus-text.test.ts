import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePrometheusTexts } from './merge-prometheus-text.ts';

test('families from several processes merge with one HELP and TYPE each', () => {
  const jm = '# HELP flink_jobmanager_job_numRestarts numRestarts (scope: jobmanager_job)\n# TYPE flink_jobmanager_job_numRestarts gauge\nflink_jobmanager_job_numRestarts{job_id="a"} 1\n';
  const tm1 = '# HELP flink_taskmanager_job_task_numRecordsIn numRecordsIn (scope: taskmanager_job_task)\n# TYPE flink_taskmanager_job_task_numRecordsIn gauge\nflink_taskmanager_job_task_numRecordsIn{tm_id="tm-1"} 5\n';
  const tm2 = '# HELP flink_taskmanager_job_task_numRecordsIn numRecordsIn (scope: taskmanager_job_task)\n# TYPE flink_taskmanager_job_task_numRecordsIn gauge\nflink_taskmanager_job_task_numRecordsIn{tm_id="tm-2"} 7\n';
  assert.equal(
    mergePrometheusTexts([jm, tm1, tm2]),
    '# HELP flink_jobmanager_job_numRestarts numRestarts (scope: jobmanager_job)\n# TYPE flink_jobmanager_job_numRestarts gauge\nflink_jobmanager_job_numRestarts{job_id="a"} 1\n' +
      '# HELP flink_taskmanager_job_task_numRecordsIn numRecordsIn (scope: taskmanager_job_task)\n# TYPE flink_taskmanager_job_task_numRecordsIn gauge\nflink_taskmanager_job_task_numRecordsIn{tm_id="tm-1"} 5\nflink_taskmanager_job_task_numRecordsIn{tm_id="tm-2"} 7\n',
  );
  assert.equal(mergePrometheusTexts([]), '');
});
