import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../api/index.ts';
import { WeirError } from '../../errors/index.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import type { AttemptRunner, JobResult } from './attempt-runner.ts';
import { JobMaster } from './job-master.ts';

/** Attempts that fail at once with `error` (the JobMaster's decisions need no real tasks). */
function failingWith(error: WeirError, started: number[]): (jobId: string, attempt: number) => AttemptRunner {
  return (_jobId, attempt) => ({
    run: async (): Promise<JobResult> => {
      started.push(attempt);
      return { jobName: 'j', state: 'FAILED', error, collected: new Map(), durationMs: 0 };
    },
    cancel: () => {},
    fail: () => {},
    subtaskStates: () => new Map(),
    subtaskTimestamps: () => new Map(),
    sendControl: () => {},
    vertexMetrics: () => [],
    endedRecords: () => [],
  });
}

async function plan() {
  return buildJobPlan(
    defineJob((env) => {
      env.configure('restart-strategy.type', 'fixed-delay');
      env.configure('restart-strategy.fixed-delay.attempts', '3');
      env.configure('restart-strategy.fixed-delay.delay', '1ms');
      env.fromSource({ boundedness: 'BOUNDED', createReader: () => ({ pollNext: () => 'end' as const }) }, WatermarkStrategy.noWatermarks(), 's').print();
    }),
  );
}

test('a non-retriable failure fails the job at once, whatever the restart strategy (as SuppressRestartsException)', async () => {
  const started: number[] = [];
  const master = new JobMaster(await plan(), Date.now, undefined, failingWith(new WeirError('PLAN_MISMATCH', 'plans differ', false), started));
  master.start();
  const result = await master.done;
  assert.equal(master.status, 'FAILED');
  assert.equal(result.error?.code, 'PLAN_MISMATCH');
  assert.deepEqual(started, [0]);
  assert.equal(master.numRestarts, 0);
  assert.deepEqual(master.exceptions.map((e) => e.code), ['PLAN_MISMATCH']);
});

test('a retriable failure restarts as the strategy allows, then fails', async () => {
  const started: number[] = [];
  const master = new JobMaster(await plan(), Date.now, undefined, failingWith(new WeirError('USER_FUNCTION_FAILED', 'boom', true), started));
  master.start();
  await master.done;
  assert.equal(master.status, 'FAILED');
  assert.deepEqual(started, [0, 1, 2, 3]);
  assert.equal(master.numRestarts, 3);
});
