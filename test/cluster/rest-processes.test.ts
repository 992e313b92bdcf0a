/**
 * REST contract of a cluster JobManager as users run it: `weir jobmanager JOB --cluster`
 * and two `weir taskmanager` processes with 2 slots each, over real HTTP. Covers what the
 * in-process cluster and REST tests do not: shapes served while the job's tasks run in
 * other processes (and their slot threads), and the internal TaskManager endpoints.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';
import { restAddress, startWeir } from '../support/weir-process.ts';
import type { WeirProcess } from '../support/weir-process.ts';

let jm: WeirProcess;
const tms: WeirProcess[] = [];
let base = '';
let jobId = '';

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(base + path);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function post(path: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

interface Vertex {
  id: string;
  name: string;
  parallelism: number;
  status: string;
  tasks: Record<string, number>;
  metrics: Record<string, number | boolean>;
}

before(async () => {
  jm = startWeir(['jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-port', '0', '--parallelism', '4', '-Dheartbeat.interval=200ms']);
  base = await eventually(() => restAddress(jm), 30_000, 'the JobManager REST address', () => jm.stderr());
  for (let i = 0; i < 2; i++) tms.push(startWeir(['taskmanager', '--jobmanager', base, '--slots', '2']));
  jobId = await eventually(async () => {
    const jobs = (await get('/jobs')).body.jobs as { id: string; status: string }[];
    return jobs[0]?.status === 'RUNNING' ? jobs[0].id : undefined;
  }, 30_000, 'the job to run');
  // Running on the TaskManagers: every subtask reports task metrics.
  await eventually(async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return findSamples(parsePrometheusText(text), 'flink_taskmanager_job_task_numRecordsIn', { job_id: jobId }).length === 8 ? true : undefined;
  }, 30_000, 'task metrics of all 8 subtasks');
});

after(async () => {
  jm.child.kill('SIGKILL');
  for (const t of tms) t.child.kill('SIGTERM');
  await Promise.all([jm.exited, ...tms.map((t) => t.exited)]);
});

test('GET /taskmanagers: both processes with their slots, data port and a recent heartbeat', async () => {
  const { status, body } = await get('/taskmanagers');
  assert.equal(status, 200);
  const list = body.taskmanagers as { id: string; path: string; dataPort: number; timeSinceLastHeartbeat: number; slotsNumber: number }[];
  assert.equal(list.length, 2);
  for (const tm of list) {
    assert.match(tm.id, /^tm-[0-9a-f]{8}$/);
    assert.equal(tm.path, `127.0.0.1:${tm.dataPort}`);
    assert.equal(tm.slotsNumber, 2);
    assert.ok(tm.timeSinceLastHeartbeat >= 0 && tm.timeSinceLastHeartbeat < 5000, String(tm.timeSinceLastHeartbeat));
  }
  // Each TaskManager logs the id it registered under.
  assert.deepEqual(list.map((t) => t.id).sort(), tms.map((t) => /registered as (\S+)/.exec(t.stderr())![1]).sort());
});

test('GET /overview: the running job holds all 4 slots', async () => {
  const { body } = await get('/overview');
  assert.deepEqual(
    { taskmanagers: body.taskmanagers, total: body['slots-total'], available: body['slots-available'], running: body['jobs-running'], finished: body['jobs-finished'] },
    { taskmanagers: 2, total: 4, available: 0, running: 1, finished: 0 },
  );
});

test('GET /jobs/overview and /config', async () => {
  const jobs = (await get('/jobs/overview')).body.jobs as { jid: string; name: string; state: string; tasks: Record<string, number> }[];
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0]!.jid, jobId);
  assert.equal(jobs[0]!.name, 'endless');
  assert.equal(jobs[0]!.state, 'RUNNING');
  // 2 vertices x parallelism 4.
  assert.equal(jobs[0]!.tasks.total, 8);
  assert.equal(jobs[0]!.tasks.running, 8);
  const config = await get('/config');
  assert.equal(config.status, 200);
  assert.equal(config.body['flink-revision'], 'weir');
  assert.deepEqual(config.body.features, { 'web-submit': false, 'web-cancel': true });
});

test('GET /jobs/:id: records per vertex come from the TaskManager processes', async () => {
  const vertices = async () => (await get(`/jobs/${jobId}`)).body.vertices as Vertex[];
  const [source, filter] = await eventually(async () => {
    const vs = await vertices();
    return vs.every((v) => (v.metrics['read-records'] as number) > 0) ? vs : undefined;
  }, 30_000, 'records through both vertices');
  assert.equal(source!.name, 'Source: ticks');
  assert.equal(filter!.name, 'Filter -> Sink: Print to Std. Out');
  for (const v of [source!, filter!]) {
    assert.equal(v.parallelism, 4);
    assert.equal(v.status, 'RUNNING');
    assert.equal(v.tasks.running, 4);
    assert.equal(v.metrics['read-records-complete'], true);
  }
  // The source sends what it reads on; the filter drops everything, so its sink writes nothing.
  assert.ok((source!.metrics['write-records'] as number) > 0);
  assert.equal(filter!.metrics['write-records'], 0);
});

test('GET /jobs/:id/vertices/:vid/backpressure: one entry per subtask across both TaskManagers', async () => {
  const detail = (await get(`/jobs/${jobId}`)).body;
  for (const v of detail.vertices as Vertex[]) {
    const { status, body } = await get(`/jobs/${jobId}/vertices/${v.id}/backpressure`);
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    const subtasks = body.subtasks as { subtask: number; 'backpressure-level': string; ratio: number; idleRatio: number; busyRatio: number }[];
    assert.deepEqual(subtasks.map((s) => s.subtask), [0, 1, 2, 3]);
    // 200 records/s cannot fill anything.
    assert.equal(body['backpressure-level'], 'ok');
    for (const s of subtasks) {
      assert.equal(s['backpressure-level'], 'ok');
      for (const r of [s.ratio, s.idleRatio, s.busyRatio]) assert.ok(r >= 0 && r <= 1, String(r));
      assert.ok(Math.round((s.ratio + s.idleRatio + s.busyRatio) * 1000) <= 1000, JSON.stringify(s));
    }
  }
});

test('GET /metrics: task metrics of every slot of both processes, with Flink names and labels', async () => {
  const samples = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
  const tasks = findSamples(samples, 'flink_taskmanager_job_task_numRecordsIn', { job_id: jobId });
  const tmIds = tms.map((t) => /registered as (\S+)/.exec(t.stderr())![1]!.replace(/-/g, '_')).sort();
  assert.deepEqual([...new Set(tasks.map((s) => s.labels.tm_id))].sort(), tmIds);
  assert.deepEqual(tasks.map((s) => `${s.labels.task_name}/${s.labels.subtask_index}`).sort(), [
    'Filter____Sink__Print_to_Std__Out/0',
    'Filter____Sink__Print_to_Std__Out/1',
    'Filter____Sink__Print_to_Std__Out/2',
    'Filter____Sink__Print_to_Std__Out/3',
    'Source__ticks/0',
    'Source__ticks/1',
    'Source__ticks/2',
    'Source__ticks/3',
  ]);
  assert.deepEqual(findSamples(samples, 'flink_jobmanager_job_numRestarts', { job_id: jobId }).map((s) => s.value), [0]);
});

test('internal TaskManager endpoints: a bad registration is refused with 400; an unknown TaskManager is told to register', async () => {
  const bad = await post('/internal/taskmanagers/register', JSON.stringify({ id: 'tm-x', slots: 0, data: { host: '127.0.0.1', port: 1 } }));
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { errors: ['a registration needs {id, slots >= 1, data: {host, port}}'] });
  const notJson = await post('/internal/taskmanagers/register', '{');
  assert.equal(notJson.status, 400);
  assert.deepEqual(notJson.body, { errors: ['the request body is not valid JSON'] });
  const unknown = await post('/internal/taskmanagers/tm-nobody/heartbeat', JSON.stringify({ reports: [] }));
  assert.equal(unknown.status, 200);
  assert.deepEqual(unknown.body, { unknown: true });
  const commands = await post('/internal/taskmanagers/tm-nobody/commands', '{}');
  assert.deepEqual(commands.body, { commands: [], unknown: true });
  assert.equal(((await get('/taskmanagers')).body.taskmanagers as unknown[]).length, 2);
});

test('PATCH /jobs/:id?mode=cancel cancels the job on the TaskManagers; the JobManager exits with 130', async () => {
  const r = await fetch(`${base}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
  assert.equal(r.status, 202);
  assert.equal(await jm.exited, 130);
  assert.match(jm.stderr(), new RegExp(`job ${jobId} CANCELED`));
  // The TaskManagers outlive their JobManager (they wait for a new one) until stopped.
  for (const t of tms) assert.equal(t.child.exitCode, null);
});
