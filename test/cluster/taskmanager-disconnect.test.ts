/**
 * A TaskManager that stops tells its JobManager, which drops it at once: a job whose
 * TaskManagers stop with it (a pod deleted, a cluster shut down) ends without waiting out the
 * heartbeat timeout (here 10 minutes, so waiting for it would fail the test).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { eventually } from '../support/eventually.ts';

const endless = resolve('test/fixtures/jobs/endless.ts');

test('a stopping TaskManager disconnects: the JobManager forgets it at once and the job can end without the heartbeat timeout', async (t) => {
  const registry = new TaskManagerRegistry(100, 600_000);
  const stopExpiry = registry.startExpiry();
  const dispatcher = new Dispatcher({ registry, slotWaitMs: 10_000 });
  const rest = new RestServer(dispatcher, { port: 0 });
  const url = `http://127.0.0.1:${await rest.listen()}`;
  t.after(async () => {
    stopExpiry();
    await rest.close();
  });
  const tm = new TaskManager({ jobManagerUrl: url, slots: 2, bufferTimeoutMs: 0 });
  await tm.start();
  const master = await dispatcher.submit(await loadJob(endless), { parallelism: 2, jobPath: endless });
  await eventually(() => (master.allTasksRunning() ? true : undefined), 30_000, 'every task running');
  assert.equal(registry.taskManagers.size, 1);

  await tm.stop();
  assert.equal(registry.taskManagers.size, 0, 'forgotten as soon as it stopped');
  master.suspend();
  // Ends at once because the JobManager heard of the stop; a JobManager that did not would wait
  // out the 10-minute heartbeat timeout, far past the test's time limit.
  await master.done;
  assert.equal(master.status, 'SUSPENDED');
});
