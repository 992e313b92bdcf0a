/** REST contract of the JobManager: Flink's paths and shapes, over real HTTP on 127.0.0.1. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { eventually } from '../support/eventually.ts';

const dispatcher = new Dispatcher();
const rest = new RestServer(dispatcher, { port: 0 });
let base = '';

before(async () => {
  base = `http://127.0.0.1:${await rest.listen()}`;
});
after(() => rest.close());

async function call(method: string, path: string, body?: unknown) {
  const r = await fetch(base + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await r.text();
  const json = r.headers.get('content-type')?.startsWith('application/json');
  return { status: r.status, type: r.headers.get('content-type'), body: (json ? JSON.parse(text) : {}) as Record<string, unknown>, text };
}

const finishing = defineJob((env) => {
  env.setJobName('three-records');
  env.fromElements(1, 2, 3).map((n) => n * 2).collect('out');
});

const endless = defineJob((env) => {
  env.setJobName('endless');
  env.fromSource(new DataGeneratorSource((i) => i, Infinity, { recordsPerSecond: 1000 }), WatermarkStrategy.noWatermarks(), 'ticks').filter(() => false).print();
});

/** One source ends at once, the other never: the job runs on with one vertex FINISHED. */
const halfDone = defineJob((env) => {
  env.setJobName('half-done');
  const ticks = env.fromSource(new DataGeneratorSource((i) => i, Infinity, { recordsPerSecond: 1000 }), WatermarkStrategy.noWatermarks(), 'ticks');
  env.fromElements(1, 2, 3).union(ticks).filter(() => false).print();
});

const failing = defineJob((env) => {
  env.setJobName('always-fails');
  env.configure('restart-strategy.type', 'fixed-delay');
  env.configure('restart-strategy.fixed-delay.attempts', '2');
  env.configure('restart-strategy.fixed-delay.delay', '10ms');
  env.fromElements(1).map((): number => {
    throw new Error('boom');
  }).name('exploding map').uid('exploder').print();
});

test('a finished job: overview, detail with vertices and counts, no exceptions', async () => {
  const job = await dispatcher.submit(finishing);
  const result = await job.done;
  assert.equal(result.state, 'FINISHED');
  assert.deepEqual(result.collected.get('out'), [2, 4, 6]);

  const overview = await call('GET', '/jobs/overview');
  assert.equal(overview.status, 200);
  const row = (overview.body.jobs as Record<string, unknown>[]).find((j) => j.jid === job.jobId)!;
  assert.equal(row.name, 'three-records');
  assert.equal(row.state, 'FINISHED');
  assert.equal((row.tasks as Record<string, number>).total, 1);
  assert.equal((row.tasks as Record<string, number>).finished, 1);
  assert.ok((row['end-time'] as number) >= (row['start-time'] as number));

  const detail = await call('GET', `/jobs/${job.jobId}`);
  assert.equal(detail.status, 200);
  assert.equal(detail.body.state, 'FINISHED');
  assert.deepEqual(Object.keys(detail.body.timestamps as object).sort(), ['CREATED', 'FINISHED', 'INITIALIZING', 'RUNNING']);
  const vertices = detail.body.vertices as { parallelism: number; status: string; name: string }[];
  assert.equal(vertices.length, 1);
  assert.equal(vertices[0]!.name, 'Source: Collection Source -> Map -> Sink: Collect(out)');
  assert.equal(vertices[0]!.status, 'FINISHED');
  // The task metrics ended with the job; the final counts stay.
  assert.deepEqual((vertices[0] as unknown as { metrics: object }).metrics, { 'read-records': 3, 'read-records-complete': true, 'write-records': 3, 'write-records-complete': true });
  assert.equal((detail.body.plan as { planHash: string }).planHash.length, 64);
  // Its tasks ended with their metrics: no figures, and no level made up for them (Flink's shape).
  const bp = await call('GET', `/jobs/${job.jobId}/vertices/${job.plan.jobGraph.vertices[0]!.id}/backpressure`);
  assert.equal(bp.status, 200);
  assert.deepEqual(bp.body, { status: 'deprecated' });

  const vertex = await call('GET', `/jobs/${job.jobId}/vertices/${job.plan.jobGraph.vertices[0]!.id}`);
  assert.equal(vertex.status, 200);
  const [subtask] = vertex.body.subtasks as Record<string, number>[];
  const { 'start-time': start, 'end-time': end, duration, ...rest } = subtask!;
  assert.deepEqual(rest, { subtask: 0, status: 'FINISHED', attempt: 0, metrics: { 'read-records': 3, 'read-records-complete': true, 'write-records': 3, 'write-records-complete': true } });
  assert.ok(start! >= (detail.body['start-time'] as number) && end! >= start! && duration === end! - start!, JSON.stringify(subtask));

  const exceptions = await call('GET', `/jobs/${job.jobId}/exceptions`);
  assert.deepEqual(exceptions.body, { exceptionHistory: { entries: [], truncated: false }, 'root-exception': null, timestamp: null, 'all-exceptions': [], truncated: false });
});

test('a failing job restarts per its strategy, then fails; REST shows each exception', async () => {
  const job = await dispatcher.submit(failing);
  const result = await job.done;
  assert.equal(result.state, 'FAILED');
  assert.equal(job.numRestarts, 2);
  const detail = await call('GET', `/jobs/${job.jobId}`);
  assert.equal(detail.body.state, 'FAILED');
  assert.ok('RESTARTING' in (detail.body.timestamps as object));
  const ex = await call('GET', `/jobs/${job.jobId}/exceptions`);
  const entries = (ex.body.exceptionHistory as { entries: Record<string, unknown>[] }).entries;
  assert.equal(entries.length, 3); // the first attempt and two restarts
  for (const e of entries) {
    assert.equal(e.taskName, 'exploding map');
    assert.equal(e.errorCode, 'USER_FUNCTION_FAILED');
    assert.match(e.stacktrace as string, /operator "exploding map" \(uid "exploder"\), subtask 1\/1, failed: boom/);
  }
  assert.equal(ex.body['root-exception'], entries[0]!.stacktrace);
});

test('PATCH ?mode=cancel cancels a running job: CANCELLING then CANCELED', async () => {
  const job = await dispatcher.submit(endless);
  assert.equal(job.status, 'RUNNING');
  const r = await call('PATCH', `/jobs/${job.jobId}?mode=cancel`);
  assert.equal(r.status, 202);
  assert.deepEqual(r.body, {});
  const result = await job.done;
  assert.equal(result.state, 'CANCELED');
  const detail = await call('GET', `/jobs/${job.jobId}`);
  assert.equal(detail.body.state, 'CANCELED');
  assert.ok('CANCELLING' in (detail.body.timestamps as object));
  const again = await call('PATCH', `/jobs/${job.jobId}?mode=cancel`);
  assert.equal(again.status, 409);
  assert.deepEqual(again.body, { errors: [`job ${job.jobId} is CANCELED and cannot be cancelled`] });
});

test('a running job shows records per vertex and backpressure per subtask', async () => {
  const job = await dispatcher.submit(endless);
  try {
    const vertices = job.plan.jobGraph.vertices;
    // One vertex: source, filter and sink are chained; a source vertex's read-records count what it read.
    assert.equal(vertices.length, 1);
    const readRecords = async () => ((await call('GET', `/jobs/${job.jobId}`)).body.vertices as { metrics: Record<string, number | boolean> }[])[0]!.metrics;
    const metrics = await eventually(async () => {
      const m = await readRecords();
      return (m['read-records'] as number) > 0 ? m : undefined;
    }, 30_000, 'records read by the source');
    assert.equal(metrics['read-records-complete'], true);
    const bp = await call('GET', `/jobs/${job.jobId}/vertices/${vertices[0]!.id}/backpressure`);
    assert.equal(bp.status, 200);
    assert.equal(bp.body.status, 'ok');
    const subtasks = bp.body.subtasks as { subtask: number; 'backpressure-level': string; ratio: number }[];
    assert.deepEqual(subtasks.map((s) => s.subtask), [0]);
    assert.equal(subtasks[0]!['backpressure-level'], 'ok'); // nothing downstream can block a filter-everything job
    assert.equal(bp.body['backpressure-level'], 'ok');
    const unknownVertex = await call('GET', `/jobs/${job.jobId}/vertices/deadbeefdeadbeefdeadbeefdeadbeef/backpressure`);
    assert.equal(unknownVertex.status, 404);
    // Flink's aggregated subtask metrics, which autoscalers read.
    const agg = await call('GET', `/jobs/${job.jobId}/vertices/${vertices[0]!.id}/subtasks/metrics?get=numRecordsIn,busyTimeMsPerSecond&agg=sum,max`);
    assert.equal(agg.status, 200);
    const [records, busy] = agg.body as unknown as { id: string; sum: number; max: number }[];
    assert.deepEqual([records!.id, busy!.id, Object.keys(busy!).sort()], ['numRecordsIn', 'busyTimeMsPerSecond', ['id', 'max', 'sum']]);
    assert.ok(records!.sum > 0 && busy!.max >= 0 && busy!.max <= 1000);
    const listed = (await call('GET', `/jobs/${job.jobId}/vertices/${vertices[0]!.id}/subtasks/metrics`)).body as unknown as { id: string }[];
    assert.ok(['backPressuredTimeMsPerSecond', 'busyTimeMsPerSecond', 'numRecordsInPerSecond', 'numRecordsOutPerSecond'].every((id) => listed.some((m) => m.id === id)));
    assert.equal((await call('GET', `/jobs/${job.jobId}/vertices/deadbeefdeadbeefdeadbeefdeadbeef/subtasks/metrics`)).status, 404);
  } finally {
    job.cancel();
    await job.done;
  }
});

test('vertex states are the subtasks\' own: a RUNNING job with one vertex FINISHED', async () => {
  const job = await dispatcher.submit(halfDone);
  try {
    const id = (name: string) => job.plan.jobGraph.vertices.find((v) => v.name === name)!.id;
    const [elements, ticks, filter] = [id('Source: Collection Source'), id('Source: ticks'), id('Filter -> Sink: Print to Std. Out')];
    const states = async () => {
      const detail = await call('GET', `/jobs/${job.jobId}`);
      return new Map((detail.body.vertices as { id: string; status: string; tasks: Record<string, number>; 'end-time': number }[]).map((v) => [v.id, [v.status, v.tasks.finished, v.tasks.running, v['end-time'] > 0]]));
    };
    const seen = await eventually(async () => {
      const s = await states();
      return s.get(elements!)?.[0] === 'FINISHED' && s.get(filter!)?.[0] === 'RUNNING' ? s : undefined;
    }, 30_000, 'the elements source finished, the rest running');
    assert.equal(job.status, 'RUNNING');
    // Only the finished vertex has an end time.
    assert.deepEqual([seen.get(elements!), seen.get(ticks!), seen.get(filter!)], [
      ['FINISHED', 1, 0, true],
      ['RUNNING', 0, 1, false],
      ['RUNNING', 0, 1, false],
    ]);
    const overview = (await call('GET', '/jobs/overview')).body.jobs as { jid: string; tasks: Record<string, number> }[];
    const tasks = overview.find((j) => j.jid === job.jobId)!.tasks;
    assert.deepEqual([tasks.total, tasks.finished, tasks.running], [3, 1, 2]);
    const vertex = await call('GET', `/jobs/${job.jobId}/vertices/${elements}`);
    assert.deepEqual((vertex.body.subtasks as { status: string }[]).map((s) => s.status), ['FINISHED']);
    assert.equal((await call('GET', `/jobs/${job.jobId}/vertices/deadbeefdeadbeefdeadbeefdeadbeef`)).status, 404);
  } finally {
    job.cancel();
    await job.done;
  }
});

test('overview counts jobs by outcome', async () => {
  const o = await call('GET', '/overview');
  assert.equal(o.status, 200);
  assert.equal(o.body['jobs-finished'], 1);
  assert.equal(o.body['jobs-failed'], 1);
  assert.equal(o.body['jobs-cancelled'], 3);
  assert.equal(o.body['jobs-running'], 0);
});

test('errors: unknown job 404, unknown path 404, wrong method 405, bad mode 400, savepoints of an ended job 409', async () => {
  const unknown = 'deadbeefdeadbeefdeadbeefdeadbeef';
  const missing = await call('GET', `/jobs/${unknown}`);
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { errors: [`Job ${unknown} not found`] });
  assert.equal((await call('GET', `/jobs/${unknown}/exceptions`)).status, 404);
  assert.deepEqual((await call('GET', '/nope')).body, { errors: ['Not found: /nope'] });
  const wrongMethod = await call('DELETE', '/overview');
  assert.equal(wrongMethod.status, 405);
  assert.deepEqual(wrongMethod.body, { errors: ['DELETE is not allowed on /overview; use GET'] });
  const [job] = dispatcher.list();
  const badMode = await call('PATCH', `/jobs/${job!.jobId}?mode=terminate`);
  assert.equal(badMode.status, 400);
  assert.deepEqual(badMode.body, { errors: ['mode "terminate" is not supported; use mode=cancel (or POST /jobs/:id/stop to stop with a savepoint)'] });
  // The job ended: its checkpoint statistics are empty, and no savepoint can be taken of it.
  const stats = await call('GET', `/jobs/${job!.jobId}/checkpoints`);
  assert.deepEqual(stats.body.counts, { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
  const noDir = await call('POST', `/jobs/${job!.jobId}/savepoints`);
  assert.equal(noDir.status, 400);
  const ended = await call('POST', `/jobs/${job!.jobId}/stop`, { targetDirectory: '/tmp/weir-savepoints' });
  assert.equal(ended.status, 409);
  assert.deepEqual(ended.body, { errors: [`job ${job!.jobId} is ${job!.status}: savepoints are taken of running jobs`] });
  assert.equal((await call('GET', `/jobs/${job!.jobId}/savepoints/${unknown}`)).status, 404);
});

test('healthz, jobs list, taskmanagers and metrics', async () => {
  assert.deepEqual((await call('GET', '/healthz')).body, { status: 'ok' });
  assert.equal(((await call('GET', '/jobs')).body.jobs as unknown[]).length, 5);
  assert.deepEqual((await call('GET', '/taskmanagers')).body, { taskmanagers: [] });
  const m = await call('GET', '/metrics');
  assert.equal(m.status, 200);
  assert.equal(m.type, 'text/plain; version=0.0.4; charset=utf-8');
  // Job metrics of every job this JobManager ran, with Flink's names.
  for (const j of dispatcher.list()) assert.match(m.text, new RegExp(`flink_jobmanager_job_numRestarts\\{[^}]*job_id="${j.jobId}"[^}]*\\} ${j.numRestarts}`));
  assert.match(m.text, /# TYPE flink_jobmanager_job_uptime gauge/);
});
