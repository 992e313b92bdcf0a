/**
 * Savepoints from the command line, as Flink's CLI: `weir savepoint`, `weir stop
 * --savepoint` against a running JobManager, and `weir run --from-savepoint` resuming the
 * job where the savepoint left it; with the errors a user meets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { restAddress, startWeir } from '../support/weir-process.ts';

const weir = resolve('bin/weir.mjs');
const JOB = 'test/fixtures/jobs/checkpointed-counts.ts';
const RECORDS = 60_000;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [weir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('weir savepoint and weir stop --savepoint, then weir run --from-savepoint resumes the job', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-cli-savepoint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const jm = startWeir(['jobmanager', JOB, '--rest-port', '0', `-Dstate.checkpoints.dir=${join(dir, 'chk')}`, '--', '--records', String(RECORDS), '--rate', '2000']);
  t.after(() => jm.child.kill('SIGKILL'));
  const url = await eventually(() => (/submitted/.test(jm.stderr()) ? restAddress(jm) : undefined), 30_000, 'the JobManager', () => jm.stderr());
  const jobId = await eventually(async () => {
    const jobs = ((await (await fetch(`${url}/jobs/overview`)).json()) as { jobs: { jid: string; tasks: { running: number; total: number } }[] }).jobs;
    return jobs[0] && jobs[0].tasks.running === jobs[0].tasks.total ? jobs[0].jid : undefined;
  }, 30_000, 'the job to run');

  const sp = run(['savepoint', jobId, join(dir, 'sp'), '--jobmanager', url]);
  assert.equal(sp.code, 0, sp.stderr);
  const location = /^Savepoint completed\. Path: (\S+)$/m.exec(sp.stdout)?.[1] ?? '';
  assert.ok(location?.startsWith(join(dir, 'sp', 'savepoint-')), sp.stdout);
  assert.ok((await stat(join(location, '_metadata'))).isFile());

  const stop = run(['stop', jobId, '--savepoint', join(dir, 'sp'), '--jobmanager', url]);
  assert.equal(stop.code, 0, stop.stderr);
  const stoppedAt = /^Savepoint completed\. Path: (\S+)$/m.exec(stop.stdout)![1]!;
  // Stopped with a savepoint, the job FINISHED and its JobManager exits 0.
  assert.equal(await jm.exited, 0);
  assert.match(jm.stderr(), new RegExp(`job ${jobId} FINISHED`));

  // Resumed, faster: the sources go on from their savepointed positions, so fewer than all records are read.
  const resumed = run(['run', JOB, '--from-savepoint', stoppedAt, '--', '--records', String(RECORDS), '--rate', '1000000']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const read = Number(/weir: (\d+) records in/.exec(resumed.stderr)?.[1]);
  assert.ok(read > 0 && read < RECORDS, `the resumed run read ${read} of ${RECORDS}`);
});

test('savepoint commands say what is wrong: a bad job id, stop without --savepoint, no JobManager, a missing savepoint', async () => {
  assert.match(run(['savepoint', 'abc']).stderr, /\[INVALID_ARGUMENTS\] usage: weir savepoint JOB_ID \[DIR\]/);
  const noFlag = run(['stop', 'a'.repeat(32), '--jobmanager', 'http://127.0.0.1:1']);
  assert.equal(noFlag.code, 1);
  assert.match(noFlag.stderr, /stop takes a savepoint; to end a job without one, cancel it/);
  const unreachable = run(['savepoint', 'a'.repeat(32), '/tmp/x', '--jobmanager', 'http://127.0.0.1:1']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /\[JOBMANAGER_UNREACHABLE\] cannot reach the JobManager at http:\/\/127\.0\.0\.1:1/);
  const missing = run(['run', JOB, '--from-savepoint', '/nonexistent/savepoint']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /job failed \[CHECKPOINT_NOT_FOUND\]: no checkpoint or savepoint at \/nonexistent\/savepoint: the path does not exist/);
});
