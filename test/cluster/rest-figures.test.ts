/**
 * REST figures of a cluster JobManager are read from what happens, not derived from the
 * job's status or plan: task states and counts from the subtasks' ExecutionStates (a
 * RUNNING job's tasks may wait for slots), slots-available from the slots attempts hold,
 * backpressure only where tasks report it. A JobManager and a 3-slot TaskManager run in
 * this process, over real HTTP on 127.0.0.1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import type { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { eventually } from '../support/eventually.ts';

const endless = resolve('test/fixtures/jobs/endless.ts');
const registry = new TaskManagerRegistry(100, 5000);
const dispatcher = new Dispatcher({ registry, slotWaitMs: 120_000 });
const rest = new RestServer(dispatcher, { port: 0 });
let url = '';
let tm: TaskManager | undefined;

before(async () => {
  url = `http://127.0.0.1:${await rest.listen()}`;
});

after(async () => {
  await tm?.stop();
  await rest.close();
});

async function get<T>(path: string): Promise<T> {
  const r = await fetch(url + path);
  assert.equal(r.status, 200, path);
  return (await r.json()) as T;
}

interface VertexRow {
  id: string;
  status: string;
  tasks: Record<string, number>;
  'start-time': number;
  'end-time': number;
  duration: number;
}

const vertexTimes = async (job: JobMaster) => (await get<{ vertices: VertexRow[] }>(`/jobs/${job.jobId}`)).vertices.map((v) => [v['start-time'], v['end-time'], v.duration]);

/** Each vertex's status and its task counts that are not zero. */
async function vertexStates(job: JobMaster): Promise<[string, Record<string, number>][]> {
  const detail = await get<{ vertices: VertexRow[] }>(`/jobs/${job.jobId}`);
  return detail.vertices.map((v) => [v.status, Object.fromEntries(Object.entries(v.tasks).filter(([, n]) => n > 0))]);
}

/** /overview's slot figures; /taskmanagers must agree with them. */
const slots = async () => {
  const o = await get<Record<string, number>>('/overview');
  const tms = (await get<{ taskmanagers: { slotsNumber: number; freeSlots: number }[] }>('/taskmanagers')).taskmanagers;
  const sum = (f: (t: (typeof tms)[number]) => number) => tms.reduce((n, t) => n + f(t), 0);
  assert.deepEqual([sum((t) => t.slotsNumber), sum((t) => t.freeSlots)], [o['slots-total'], o['slots-available']], '/taskmanagers and /overview agree');
  return { taskmanagers: o.taskmanagers, total: o['slots-total'], available: o['slots-available'] };
};

async function untilRunning(job: JobMaster): Promise<void> {
  await eventually(() => (job.allTasksRunning() ? true : undefined), 60_000, `every task of ${job.jobId} running`, () => Object.fromEntries(job.subtaskStates()));
}

async function cancel(job: JobMaster): Promise<void> {
  job.cancel();
  assert.equal((await job.done).state, 'CANCELED');
}

test('with no TaskManager, a RUNNING job reports its tasks SCHEDULED, per vertex and per subtask, and no backpressure figures', async () => {
  const a = await dispatcher.submit(await loadJob(endless), { parallelism: 2, jobPath: endless });
  try {
    await eventually(async () => ((await vertexStates(a)).every(([status]) => status === 'SCHEDULED') ? true : undefined), 30_000, 'vertices SCHEDULED');
    assert.equal(a.status, 'RUNNING');
    assert.deepEqual(await vertexStates(a), [
      ['SCHEDULED', { scheduled: 2 }],
      ['SCHEDULED', { scheduled: 2 }],
    ]);
    // Nothing was deployed: no vertex has started, though the job has.
    assert.deepEqual(await vertexTimes(a), [
      [-1, -1, -1],
      [-1, -1, -1],
    ]);
    const overview = await get<{ jobs: { jid: string; state: string; tasks: Record<string, number> }[] }>('/jobs/overview');
    const row = overview.jobs.find((j) => j.jid === a.jobId)!;
    assert.deepEqual([row.state, row.tasks.total, row.tasks.scheduled, row.tasks.running], ['RUNNING', 4, 4, 0]);
    const [source] = a.plan.jobGraph.vertices;
    const vertex = await get<{ id: string; parallelism: number; subtasks: { subtask: number; status: string; metrics: Record<string, unknown> }[] }>(`/jobs/${a.jobId}/vertices/${source!.id}`);
    assert.equal(vertex.id, source!.id);
    assert.deepEqual(vertex.subtasks.map((s) => [s.subtask, s.status, s.metrics['read-records-complete']]), [
      [0, 'SCHEDULED', false],
      [1, 'SCHEDULED', false],
    ]);
    assert.deepEqual(await get(`/jobs/${a.jobId}/vertices/${source!.id}/backpressure`), { status: 'deprecated' });
    assert.deepEqual(await slots(), { taskmanagers: 0, total: 0, available: 0 });

    // A TaskManager comes: the tasks run, and hold 2 of its 3 slots.
    tm = new TaskManager({ jobManagerUrl: url, slots: 3, bufferTimeoutMs: 0 });
    await tm.start();
    await untilRunning(a);
    assert.deepEqual(await vertexStates(a), [
      ['RUNNING', { running: 2 }],
      ['RUNNING', { running: 2 }],
    ]);
    assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 1 });
    const running = await get<{ subtasks: { status: string; 'start-time': number; 'end-time': number }[] }>(`/jobs/${a.jobId}/vertices/${source!.id}`);
    assert.deepEqual(running.subtasks.map((s) => s.status), ['RUNNING', 'RUNNING']);
    // Deployed once the TaskManager came, after the job started; still running.
    const jobStart = a.timestamps.get('INITIALIZING')!;
    for (const s of running.subtasks) assert.ok(s['start-time'] > jobStart && s['end-time'] === -1, JSON.stringify(s));
    for (const [start, end] of await vertexTimes(a)) assert.ok(start! > jobStart && end === -1, JSON.stringify([start, end]));
    const bp = await eventually(async () => {
      const b = await get<{ status: string; 'backpressure-level'?: string; subtasks?: unknown[] }>(`/jobs/${a.jobId}/vertices/${source!.id}/backpressure`);
      return b.status === 'ok' && b.subtasks?.length === 2 ? b : undefined;
    }, 30_000, 'backpressure figures of both subtasks');
    assert.equal(bp['backpressure-level'], 'ok');
  } finally {
    await cancel(a);
  }
  assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 3 });
});

test('slots-available: a second job that does not fit waits with its tasks SCHEDULED and holds no slot', async () => {
  const a = await dispatcher.submit(await loadJob(endless), { parallelism: 2, jobPath: endless });
  let b: JobMaster | undefined;
  try {
    await untilRunning(a);
    assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 1 });
    // b needs 2 slots; 1 is free, so it waits: its tasks are not running, and it holds none.
    b = await dispatcher.submit(await loadJob(endless), { parallelism: 2, jobPath: endless });
    const waiting = b;
    await eventually(async () => ((await vertexStates(waiting)).every(([status]) => status === 'SCHEDULED') ? true : undefined), 30_000, 'the second job waiting for slots');
    assert.equal(b.status, 'RUNNING');
    assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 1 });
    // A third job of parallelism 1 fits in the free slot and runs beside the first.
    const c = await dispatcher.submit(await loadJob(endless), { parallelism: 1, jobPath: endless });
    await untilRunning(c);
    assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 0 });
    await cancel(c);
    assert.deepEqual(await vertexStates(c), [
      ['CANCELED', { canceled: 1 }],
      ['CANCELED', { canceled: 1 }],
    ]);
    // The first job ends: its slots go to the second.
    await cancel(a);
    await untilRunning(b);
    assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 1 });
  } finally {
    if (a.status === 'RUNNING') await cancel(a);
    if (b?.status === 'RUNNING') await cancel(b);
  }
  assert.deepEqual(await slots(), { taskmanagers: 1, total: 3, available: 3 });
});
