// `weir taskmanager` as its own process: it looks for its JobManager with backoff for
// taskmanager.registration.timeout, reports on /readyz whether it is registered, and exits
// non-zero once it has gone that long without one, so Kubernetes restarts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { startWeir } from '../support/weir-process.ts';
import type { WeirProcess } from '../support/weir-process.ts';

const ENDLESS_JOB = resolve('test/fixtures/jobs/endless.ts');

/** A port nothing listens on now (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function readyz(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return `${res.status} ${await res.text()}`;
  } catch {
    return undefined;
  }
}

test('a TaskManager started before its JobManager registers once it is up, is ready only while registered, and exits 1 once the JobManager has been gone for the timeout', async () => {
  const [restPort, metricsPort] = [await freePort(), await freePort()];
  const tm = startWeir(['taskmanager', '--jobmanager', `http://127.0.0.1:${restPort}`, '--metrics-port', String(metricsPort), '-Dtaskmanager.registration.timeout=4s']);
  let jm: WeirProcess | undefined;
  try {
    await eventually(() => (/retrying until taskmanager\.registration\.timeout \(4 s\)\n/.test(tm.stderr()) ? true : undefined), 30_000, 'a failed first attempt', () => tm.stderr());
    assert.equal(await readyz(metricsPort), '503 {"registered":false}');
    jm = startWeir(['jobmanager', ENDLESS_JOB, '--cluster', '--rest-port', String(restPort), '--parallelism', '1']);
    await eventually(async () => ((await readyz(metricsPort)) === '200 {"registered":true}' ? true : undefined), 60_000, 'registered', () => tm.stderr());
    jm.child.kill('SIGKILL');
    await eventually(async () => ((await readyz(metricsPort)) === '503 {"registered":false}' ? true : undefined), 10_000, 'not ready without its JobManager');
    assert.equal(await tm.exited, 1);
    assert.match(tm.stderr(), /\nweir: \[TASKMANAGER_REGISTRATION_TIMEOUT\] no JobManager accepted this TaskManager within taskmanager\.registration\.timeout \(4 s\); the last attempt: cannot reach the JobManager at http:\/\/127\.0\.0\.1:\d+/);
  } finally {
    jm?.child.kill('SIGKILL');
    tm.child.kill('SIGKILL');
  }
});

test('a TaskManager whose JobManager never comes keeps trying for the timeout, then exits 1 saying why', async () => {
  const restPort = await freePort();
  const started = Date.now();
  const tm = startWeir(['taskmanager', '--jobmanager', `http://127.0.0.1:${restPort}`, '-Dtaskmanager.registration.timeout=3s']);
  try {
    assert.equal(await tm.exited, 1);
    assert.ok(Date.now() - started >= 3000, 'not before the timeout');
    const lines = tm.stderr().trim().split('\n');
    assert.equal(lines.filter((l) => l.includes('retrying until')).length, 1, 'the wait is announced once');
    assert.match(lines.at(-1)!, /^weir: \[TASKMANAGER_REGISTRATION_TIMEOUT\] no JobManager accepted this TaskManager within taskmanager\.registration\.timeout \(3 s\); the last attempt: cannot reach the JobManager/);
  } finally {
    tm.child.kill('SIGKILL');
  }
});
