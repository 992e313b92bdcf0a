/**
 * A JobManager and TaskManagers over real HTTP (registration, heartbeats, deployment)
 * and the TCP data plane between TaskManagers, all on 127.0.0.1 in this process.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { runJob } from '../../src/runtime/index.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';
import { recordsFlowInAttempt, scrape } from '../support/records-flow.ts';

const keyedSum = resolve('test/fixtures/jobs/keyed-sum.ts');
const endless = resolve('test/fixtures/jobs/endless.ts');
const registry = new TaskManagerRegistry(100, 1500);
const dispatcher = new Dispatcher({ registry, slotWaitMs: 10_000 });
const rest = new RestServer(dispatcher, { port: 0 });
let url = '';
let stopExpiry = () => {};
const taskManagers: TaskManager[] = [];

async function startTaskManager(slots: number): Promise<TaskManager> {
  const tm = new TaskManager({ jobManagerUrl: url, slots, bufferTimeoutMs: 0 });
  await tm.start();
  taskManagers.push(tm);
  return tm;
}

before(async () => {
  url = `http://127.0.0.1:${await rest.listen()}`;
  stopExpiry = registry.startExpiry();
  await startTaskManager(2);
  await startTaskManager(2);
});

after(async () => {
  stopExpiry();
  await Promise.all(taskManagers.map((tm) => tm.stop()));
  await rest.close();
});

/** Each key's final running sum (sums only grow), whatever order records arrived in. */
function finalSums(values: unknown[] | undefined): string[] {
  const max = new Map<string, number>();
  for (const r of values as { key: string; v: number }[]) max.set(r.key, Math.max(max.get(r.key) ?? 0, r.v));
  return [...max].map(([k, v]) => `${k}=${v}`).sort();
}

for (const parallelism of [1, 2, 4]) {
  test(`JobManager + 2 TaskManagers: the same results as in-process, parallelism ${parallelism}`, async () => {
    const job = await loadJob(keyedSum);
    const local = await runJob(job, { parallelism });
    const master = await dispatcher.submit(job, { parallelism, jobPath: keyedSum });
    const result = await master.done;
    assert.equal(result.state, 'FINISHED', result.error?.message);
    assert.equal(master.status, 'FINISHED');
    assert.deepEqual(finalSums(result.collected.get('sums')), finalSums(local.collected.get('sums')));
    assert.equal(finalSums(local.collected.get('sums')).length, 17);
  });
}

test("a finished cluster job's REST detail keeps every vertex's final record counts", async () => {
  const master = await dispatcher.submit(await loadJob(keyedSum), { parallelism: 4, jobPath: keyedSum });
  assert.equal((await master.done).state, 'FINISHED');
  const detail = (await (await fetch(`${url}/jobs/${master.jobId}`)).json()) as { state: string; vertices: { name: string; metrics: Record<string, number | boolean> }[] };
  assert.equal(detail.state, 'FINISHED');
  // The TaskManagers' task metrics are gone; the counts come from their final reports.
  const samples = findSamples(parsePrometheusText(await (await fetch(`${url}/metrics`)).text()), 'flink_taskmanager_job_task_numRecordsIn', { job_id: master.jobId });
  assert.deepEqual(samples, []);
  // 30000 records: the source reads them, sum and reduce each emit one per input, collect writes them all.
  const counts = { 'read-records': 30_000, 'read-records-complete': true, 'write-records': 30_000, 'write-records-complete': true };
  assert.deepEqual(detail.vertices.map((v) => [v.name, v.metrics]), [
    ['Source: numbers', counts],
    ['Keyed Aggregation(sum)', counts],
    ['Keyed Reduce -> Sink: Collect(sums)', counts],
  ]);
});

test('/overview counts TaskManagers and slots', async () => {
  const o = (await (await fetch(`${url}/overview`)).json()) as Record<string, number>;
  assert.equal(o.taskmanagers, 2);
  assert.equal(o['slots-total'], 4);
  assert.equal(o['slots-available'], 4);
});

test('/taskmanagers lists the registered TaskManagers with their slots', async () => {
  const body = (await (await fetch(`${url}/taskmanagers`)).json()) as { taskmanagers: { id: string; slotsNumber: number }[] };
  assert.deepEqual(body.taskmanagers.map((t) => t.slotsNumber), [2, 2]);
  assert.deepEqual(body.taskmanagers.map((t) => t.id).sort(), taskManagers.map((t) => t.id).sort());
});

test('a TaskManager whose plan differs refuses the deployment with PLAN_MISMATCH', async () => {
  const path = resolve('test/fixtures/jobs/nondeterministic.ts');
  const master = await dispatcher.submit(await loadJob(path), { parallelism: 1, jobPath: path });
  const result = await master.done;
  assert.equal(result.state, 'FAILED');
  assert.equal(result.error?.code, 'PLAN_MISMATCH');
  assert.match(result.error!.message, /built a different plan .* the job's main must build the same plan everywhere/);
});

test("the JobManager's /metrics shows job metrics and every TaskManager's task metrics", async () => {
  const master = await dispatcher.submit(await loadJob(endless), { parallelism: 4, jobPath: endless });
  const scrape = async () => parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
  let samples = await scrape();
  await eventually(async () => (findSamples((samples = await scrape()), 'flink_taskmanager_job_task_numRecordsIn', { job_id: master.jobId }).length === 8 ? true : undefined), 30_000, 'task metrics of all 8 subtasks');
  // 2 vertices (source chain, keyed filter+sink) x 4 subtasks, on both TaskManagers.
  const tasks = findSamples(samples, 'flink_taskmanager_job_task_numRecordsIn', { job_id: master.jobId });
  assert.equal(tasks.length, 8);
  // Label values keep only [a-zA-Z0-9_], as Flink's Prometheus reporter does.
  assert.deepEqual([...new Set(tasks.map((s) => s.labels.tm_id))].sort(), taskManagers.map((t) => t.id.replace(/-/g, '_')).sort());
  assert.deepEqual(findSamples(samples, 'flink_jobmanager_job_numRestarts', { job_id: master.jobId }).map((s) => s.value), [0]);
  master.cancel();
  assert.equal((await master.done).state, 'CANCELED');
});

test('a lost TaskManager fails the attempt; the job restarts on a replacement', async () => {
  const master = await dispatcher.submit(await loadJob(endless), { parallelism: 4, jobPath: endless });
  await eventually(() => (master.allTasksRunning() ? true : undefined), 30_000, 'all tasks running', () => Object.fromEntries(master.subtaskStates()));
  const victim = taskManagers.shift()!;
  await victim.stop(); // no more heartbeats, as after kill -9
  const replacement = startTaskManager(2);
  await eventually(() => (master.numRestarts > 0 ? true : undefined), 30_000, 'a restart');
  await replacement;
  // A restart may first land on the dead TaskManager while it still counts as registered
  // (its heartbeat has not timed out yet), fail there, and restart once more, as in Flink.
  assert.ok(master.numRestarts >= 1);
  // The surviving TaskManager's data connection breaks at once (CONNECTION_LOST); the
  // JobManager's heartbeat timeout would catch a TaskManager with no peers (TASK_MANAGER_LOST).
  assert.ok(['CONNECTION_LOST', 'TASK_MANAGER_LOST'].includes(master.exceptions[0]!.code), master.exceptions[0]!.code);
  await eventually(() => (registry.taskManagers.has(victim.id) ? undefined : true), 30_000, 'the stopped TaskManager to be unregistered');
  await eventually(() => (master.allTasksRunning() ? true : undefined), 60_000, 'the job running again', () => master.status);
  // Not only RUNNING: the restarted attempt moves records.
  const flowing = await recordsFlowInAttempt(scrape(`${url}/metrics`), master.jobId, 1);
  assert.equal(flowing.attempt, master.numRestarts);
  master.cancel();
  assert.equal((await master.done).state, 'CANCELED');
});
