/** The exposition: Flink's names, help text and labels; values read on scrape; removal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeirError } from '../../errors/index.ts';
import { registerJobMetrics, uptimeMs } from './job-metrics.ts';
import { parsePrometheusText } from './prometheus-text.ts';
import { MetricRegistry } from './registry.ts';
import { JOB_SCOPE, OPERATOR_SCOPE, TASK_SCOPE, operatorLabels, taskLabels, watermarkValue } from './scope.ts';

const TASK = {
  host: 'tm-1.example',
  tmId: 'tm-1:6122-abc',
  jobId: '0123456789abcdef0123456789abcdef',
  jobName: 'Fraud detection',
  taskId: 'v1',
  taskName: 'Source: gen -> Map',
  taskAttemptId: 'ffeeddccbbaa99887766554433221100',
  taskAttemptNum: 0,
  subtaskIndex: 1,
};

test('a task counter is exported as Flink\'s reporter does: gauge, help with scope, filtered labels', async () => {
  const registry = new MetricRegistry();
  let n = 0;
  registry.gauge(TASK_SCOPE, 'numRecordsIn', taskLabels(TASK), () => n);
  n = 42; // read at scrape time, not at registration
  const text = await registry.metrics();
  assert.equal(
    text,
    [
      '# HELP flink_taskmanager_job_task_numRecordsIn numRecordsIn (scope: taskmanager_job_task)',
      '# TYPE flink_taskmanager_job_task_numRecordsIn gauge',
      'flink_taskmanager_job_task_numRecordsIn{host="tm_1_example",tm_id="tm_1_6122_abc",job_id="0123456789abcdef0123456789abcdef",job_name="Fraud_detection",task_id="v1",task_name="Source__gen____Map",task_attempt_id="ffeeddccbbaa99887766554433221100",task_attempt_num="0",subtask_index="1"} 42',
      '',
    ].join('\n'),
  );
  assert.equal(registry.contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

test('operator labels add operator_id and operator_name (truncated to 80 characters, as Flink)', async () => {
  const registry = new MetricRegistry({ filterLabelValueCharacters: false });
  const long = 'x'.repeat(100);
  registry.gauge(OPERATOR_SCOPE, 'numRecordsOut', operatorLabels(TASK, { operatorId: 'op-7', operatorName: long }, false), () => 3);
  const [s] = parsePrometheusText(await registry.metrics());
  assert.equal(s!.name, 'flink_taskmanager_job_task_operator_numRecordsOut');
  assert.equal(s!.labels.operator_id, 'op-7');
  assert.equal(s!.labels.operator_name, 'x'.repeat(80));
  assert.equal(s!.labels.task_name, 'Source: gen -> Map', 'unfiltered when the option is off');
  assert.equal(s!.value, 3);
});

test('series of one name share a gauge; removing the last one removes the name', async () => {
  const registry = new MetricRegistry();
  const a = registry.gauge(TASK_SCOPE, 'numRecordsIn', taskLabels({ ...TASK, subtaskIndex: 0 }), () => 1);
  const b = registry.gauge(TASK_SCOPE, 'numRecordsIn', taskLabels({ ...TASK, subtaskIndex: 1 }), () => 2);
  let samples = parsePrometheusText(await registry.metrics());
  assert.deepEqual(
    samples.map((s) => [s.labels.subtask_index, s.value]),
    [
      ['0', 1],
      ['1', 2],
    ],
  );
  a();
  samples = parsePrometheusText(await registry.metrics());
  assert.deepEqual(
    samples.map((s) => s.value),
    [2],
  );
  b();
  b(); // idempotent
  assert.equal(await registry.metrics(), '\n');
  assert.deepEqual(registry.names(), []);
});

test('one name cannot be registered with two label sets', () => {
  const registry = new MetricRegistry();
  registry.gauge(TASK_SCOPE, 'numRecordsIn', taskLabels(TASK), () => 1);
  assert.throws(
    () => registry.gauge(TASK_SCOPE, 'numRecordsIn', { job_id: 'x' }, () => 1),
    (e: unknown) => e instanceof WeirError && e.code === 'METRIC_LABELS_MISMATCH',
  );
});

test('job metrics: flink_jobmanager_job_numRestarts and uptime with host, job_id, job_name', async () => {
  const registry = new MetricRegistry();
  let restarts = 0;
  let now = 1000;
  const remove = registerJobMetrics(registry, { host: 'jm', jobId: TASK.jobId, jobName: 'j' }, { numRestarts: () => restarts, uptime: () => uptimeMs('RUNNING', 400, now) });
  restarts = 2;
  now = 1600;
  const samples = parsePrometheusText(await registry.metrics());
  const labels = { host: 'jm', job_id: TASK.jobId, job_name: 'j' };
  assert.deepEqual(samples, [
    { name: `flink_${JOB_SCOPE}_numRestarts`, labels, value: 2 },
    { name: `flink_${JOB_SCOPE}_uptime`, labels, value: 1200 },
  ]);
  remove();
  assert.deepEqual(registry.names(), []);
});

test('uptime follows Flink: 0 before running and while restarting, -1 once terminal', () => {
  assert.equal(uptimeMs('CREATED', undefined, 50), 0);
  assert.equal(uptimeMs('RESTARTING', 10, 50), 0);
  assert.equal(uptimeMs('RUNNING', 10, 50), 40);
  for (const s of ['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED']) assert.equal(uptimeMs(s, 10, 50), -1);
});

test('watermarks are reported as Flink\'s longs: Long.MIN_VALUE before the first', async () => {
  assert.equal(watermarkValue(1234), 1234);
  const registry = new MetricRegistry();
  registry.gauge(TASK_SCOPE, 'currentInputWatermark', taskLabels(TASK), () => watermarkValue(-Infinity));
  const text = await registry.metrics();
  assert.match(text, /currentInputWatermark\{[^}]*\} -9223372036854776000\n/);
  assert.equal(parsePrometheusText(text)[0]!.value, -(2 ** 63));
});
