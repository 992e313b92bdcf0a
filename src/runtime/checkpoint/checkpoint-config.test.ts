import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob } from '../../api/environment.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import { parseCheckpointConfig } from './checkpoint-config.ts';

test("the job's main sets checkpointing as in Flink, and its settings win over the command line's", async () => {
  const job = defineJob((env) => {
    env.enableCheckpointing(60_000, 'AT_LEAST_ONCE');
    const c = env.getCheckpointConfig();
    c.setCheckpointTimeout(120_000);
    c.setMaxConcurrentCheckpoints(2);
    c.setMinPauseBetweenCheckpoints(30_000);
    c.setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION');
    c.setTolerableCheckpointFailureNumber(2);
    c.setCheckpointStorage('file:///var/weir/checkpoints');
    env.fromElements(1).print();
  });
  const plan = await buildJobPlan(job, { config: { 'execution.checkpointing.interval': '1s', 'state.savepoints.dir': '/var/weir/savepoints' } });
  assert.deepEqual(parseCheckpointConfig(plan.config), {
    intervalMs: 60_000,
    mode: 'AT_LEAST_ONCE',
    timeoutMs: 120_000,
    minPauseMs: 30_000,
    maxConcurrent: 2,
    tolerableFailures: 2,
    retention: 'RETAIN_ON_CANCELLATION',
    numRetained: 1,
    dir: '/var/weir/checkpoints',
    savepointDir: '/var/weir/savepoints',
  });
});

test('bad checkpoint settings are refused with the key and what it takes', () => {
  const parse = (entries: Record<string, string>) => () => parseCheckpointConfig(new Map(Object.entries(entries)));
  assert.throws(parse({ 'execution.checkpointing.mode': 'TWICE' }), { code: 'INVALID_CONFIGURATION', message: 'execution.checkpointing.mode: "TWICE" is not EXACTLY_ONCE or AT_LEAST_ONCE' });
  assert.throws(parse({ 'execution.checkpointing.interval': '5ms' }), { message: 'execution.checkpointing.interval: "5ms" is not an interval of at least 10ms' });
  assert.throws(parse({ 'state.checkpoints.num-retained': '0' }), { message: 'state.checkpoints.num-retained: "0" is not a whole number >= 1' });
  assert.throws(parse({ 'state.checkpoints.dir': 'hdfs://namenode/chk' }), { message: /is not a supported location/ });
});
