/**
 * The operator's HTTP JobManagerApi against a real `weir jobmanager --cluster` (kept up
 * after its job ends, as the operator runs it) with one `weir taskmanager`: the job with its
 * task counts as the operator reads them, cancel, and the errors a caller branches on.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpJobManagerApi } from '../../src/kube-operator/jobmanager/http-jobmanager-api.ts';
import type { ObservedJob } from '../../src/kube-operator/jobmanager/jobmanager-api.ts';
import { eventually } from '../support/eventually.ts';

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [resolve('bin/weir.mjs'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

let jm: Proc;
let tm: Proc | undefined;
let api: HttpJobManagerApi;
let lastSeen: ObservedJob | undefined;
let stateDir: string;

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'weir-jm-api-'));
  jm = start([
    'jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-address', '127.0.0.1', '--rest-port', '0', '--parallelism', '2', '-Dheartbeat.interval=200ms', '-Dexecution.shutdown-on-application-finish=false',
    `-Dstate.checkpoints.dir=${join(stateDir, 'chk')}`, `-Dstate.savepoints.dir=${join(stateDir, 'sp')}`,
  ]);
  const base = await eventually(() => /REST API on (http:\/\/\S+)/.exec(jm.stderr())?.[1], 90_000, 'the JobManager REST address', () => jm.stderr());
  tm = start(['taskmanager', '--jobmanager', base, '--slots', '2']);
  api = new HttpJobManagerApi(base);
});

after(async () => {
  jm.child.kill('SIGKILL');
  tm?.child.kill('SIGTERM');
  await Promise.all([jm.exited, tm?.exited]);
  rmSync(stateDir, { recursive: true, force: true });
});

test('currentJob: the running job with every one of its tasks running, in Flink\'s counts', async () => {
  const job = await eventually(
    async () => {
      lastSeen = await api.currentJob();
      return lastSeen?.state === 'RUNNING' && lastSeen.tasks.running === lastSeen.tasks.total ? lastSeen : undefined;
    },
    60_000,
    'all tasks running',
    () => lastSeen,
  );
  assert.match(job.id, /^[0-9a-f]{32}$/);
  assert.equal(job.name, 'endless');
  assert.equal(job.failureCause, undefined);
  // Two vertices (source; filter and sink chained) at parallelism 2.
  assert.deepEqual(job.tasks, { total: 4, created: 0, scheduled: 0, deploying: 0, running: 4, finished: 0, canceling: 0, canceled: 0, failed: 0, reconciling: 0, initializing: 0 });
});

test('snapshot triggers under the operator\'s trigger id: a resent trigger takes no second savepoint; outcomes as the operator reads them', async () => {
  const job = (await api.currentJob())!;
  const triggerId = '1'.repeat(32);
  await api.triggerSavepoint(job.id, triggerId, 'continue');
  await api.triggerSavepoint(job.id, triggerId, 'continue');
  const done = await eventually(async () => {
    const o = await api.snapshotStatus(job.id, 'savepoint', triggerId);
    return o.status === 'IN_PROGRESS' ? undefined : o;
  }, 30_000, 'the savepoint');
  assert.equal(done.status, 'COMPLETED');
  assert.match(done.status === 'COMPLETED' ? (done.location ?? '') : '', new RegExp(`^${join(stateDir, 'sp')}/savepoint-${job.id.slice(0, 6)}-[0-9a-f]{12}$`));
  assert.equal(readdirSync(join(stateDir, 'sp')).length, 1);
  await api.triggerCheckpoint(job.id, '2'.repeat(32));
  const checkpoint = await eventually(async () => {
    const o = await api.snapshotStatus(job.id, 'checkpoint', '2'.repeat(32));
    return o.status === 'IN_PROGRESS' ? undefined : o;
  }, 30_000, 'the checkpoint');
  assert.equal(checkpoint.status, 'COMPLETED');
  assert.equal(typeof (checkpoint.status === 'COMPLETED' ? checkpoint.checkpointId : undefined), 'number');
  assert.deepEqual(await api.snapshotStatus(job.id, 'savepoint', '3'.repeat(32)), { status: 'UNKNOWN' });
  const after = (await api.currentJob())!;
  assert.ok((after.checkpoints?.completed ?? 0) >= 1, `completed checkpoints: ${JSON.stringify(after.checkpoints)}`);
  await assert.rejects(api.triggerSavepoint(job.id, 'not-hex', 'continue'), (err: { code: string; message: string }) => {
    assert.equal(err.code, 'JOBMANAGER_REFUSED');
    assert.match(err.message, /answered 400: triggerId "not-hex" must be 32 lowercase hex digits$/);
    return true;
  });
});

test('cancel: the job ends CANCELED; cancelling a job the JobManager does not know is refused for good', async () => {
  const job = (await api.currentJob())!;
  await api.cancel(job.id);
  await eventually(async () => ((lastSeen = await api.currentJob())?.state === 'CANCELED' ? true : undefined), 30_000, 'CANCELED', () => lastSeen);
  await assert.rejects(api.cancel('0'.repeat(32)), (err: { code: string; retriable: boolean; message: string }) => {
    assert.equal(err.code, 'JOBMANAGER_REFUSED');
    assert.equal(err.retriable, false);
    assert.match(err.message, new RegExp(`^PATCH /jobs/${'0'.repeat(32)}\\?mode=cancel answered 404: `));
    return true;
  });
});

test('a JobManager that cannot be reached is a retriable JOBMANAGER_UNREACHABLE', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(new HttpJobManagerApi(`http://127.0.0.1:${port}`).currentJob(), { code: 'JOBMANAGER_UNREACHABLE', retriable: true });
});

test('an overview without task counts is refused rather than read as "all tasks running"', async () => {
  // A JobManager of another version that leaves the counts out: the operator must not call it STABLE.
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ jobs: [{ jid: 'b'.repeat(32), name: 'old', state: 'RUNNING', 'start-time': 1, tasks: { total: 2, running: 2 } }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await assert.rejects(new HttpJobManagerApi(base).currentJob(), {
      code: 'JOBMANAGER_ANSWER_INVALID',
      message: `GET /jobs/overview from ${base}: job ${'b'.repeat(32)} has no task count for created, scheduled, deploying, finished, canceling, canceled, failed, reconciling, initializing; the JobManager must report Flink's tasks {total, created, ..., initializing}`,
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
