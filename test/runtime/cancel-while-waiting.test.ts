/**
 * A task group that has nothing to do sleeps until its next wake-up time; cancelling it must
 * end that sleep too, or the timer keeps the process alive long after the job (an hour,
 * here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkStrategy, defineJob } from '../../src/api/index.ts';
import { buildJobPlan, TaskGroup } from '../../src/runtime/index.ts';
import { eventually } from '../support/eventually.ts';
import { ScriptedSource } from '../support/scripted-source.ts';

const pendingTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('cancelling a job that waits an hour for its source leaves no timer behind', async () => {
  const HOUR = 3_600_000;
  const job = defineJob((env) => {
    env.fromSource(new ScriptedSource<number>([], Date.now() + HOUR), WatermarkStrategy.noWatermarks<number>(), 'idle').collect('out');
  });
  const group = new TaskGroup(await buildJobPlan(job, { parallelism: 1 }), {});
  const before = pendingTimers();
  const run = group.run();
  // The only timer the running job holds is the loop's wait for the source's end.
  await eventually(() => (group.subtaskStates().every((s) => s.state === 'RUNNING') && pendingTimers() === before + 1 ? true : undefined), 30_000, 'the job to wait on one timer', () => ({ states: group.subtaskStates(), timers: pendingTimers() - before }));
  group.cancel();
  assert.equal((await run).state, 'CANCELED');
  assert.equal(pendingTimers(), before);
});
