/**
 * Recovery on a cluster: a JobManager and TaskManagers over real HTTP and TCP in this
 * process. A TaskManager that goes away after checkpoints completed fails the attempt; the
 * job restarts on a replacement from the latest checkpoint, which the tasks in the slot
 * threads read from the checkpoint directory: the sources resume, and the keyed counts
 * end exact.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { eventually } from '../support/eventually.ts';
import { KEYS, RECORDS } from '../fixtures/jobs/checkpointed-counts.ts';

const jobPath = resolve('test/fixtures/jobs/checkpointed-counts.ts');
const registry = new TaskManagerRegistry(100, 1500);
const dispatcher = new Dispatcher({ registry, slotWaitMs: 30_000 });
const rest = new RestServer(dispatcher, { port: 0 });
const taskManagers: TaskManager[] = [];
const stopExpiry = registry.startExpiry();

after(async () => {
  stopExpiry();
  await Promise.all(taskManagers.map((tm) => tm.stop()));
  await rest.close();
});

async function startTaskManager(url: string): Promise<TaskManager> {
  const tm = new TaskManager({ jobManagerUrl: url, slots: 2, bufferTimeoutMs: 0 });
  await tm.start();
  taskManagers.push(tm);
  return tm;
}

test('a lost TaskManager: the job restarts on a replacement from the latest checkpoint, with exact keyed state', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-cluster-recovery-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${await rest.listen()}`;
  await startTaskManager(url);
  const victim = await startTaskManager(url);
  const master = await dispatcher.submit(await loadJob(jobPath), {
    parallelism: 4,
    jobPath,
    config: {
      'execution.checkpointing.interval': '100ms',
      'state.checkpoints.dir': dir,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '3',
      'restart-strategy.fixed-delay.delay': '10ms',
    },
  });
  await eventually(() => (master.checkpoints.stats.completed >= 2 ? true : undefined), 30_000, 'two completed checkpoints', () => [master.status, master.exceptions.map((e) => e.message), master.checkpoints.stats.lastFailed?.failureMessage]);
  await victim.stop();
  taskManagers.splice(taskManagers.indexOf(victim), 1);
  await startTaskManager(url);
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.ok(master.numRestarts >= 1);
  assert.ok(master.checkpoints.stats.lastRestore, 'the restart restored a checkpoint');

  const counts = result.collected.get('counts') as { key: number; count: number }[];
  assert.ok(counts.length < RECORDS, `the restarted attempt re-read ${counts.length} of ${RECORDS} records`);
  const last = new Map<number, number>();
  for (const c of counts) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  assert.deepEqual([...last].sort((a, b) => a[0] - b[0]), Array.from({ length: KEYS }, (_, k) => [k, RECORDS / KEYS]));
});
