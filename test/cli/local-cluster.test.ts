/** The cluster as processes: weir jobmanager, weir taskmanager and weir run --taskmanagers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { recordsFlowInAttempt, scrape } from '../support/records-flow.ts';
import { restAddress, startWeir } from '../support/weir-process.ts';
import type { WeirProcess } from '../support/weir-process.ts';

const weir = resolve('bin/weir.mjs');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('weir run --taskmanagers 2 runs the job on a local cluster and prints what the TaskManagers print', () => {
  const r = spawnSync(process.execPath, [weir, 'run', 'test/fixtures/jobs/word-count.ts', '--taskmanagers', '2', '--parallelism', '3'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.replace(/^\d+> /, '')).sort();
  // to x4, be x3, is x2, the others once: running counts 1..n per word.
  const expected = ['be 1', 'be 2', 'be 3', 'do 1', 'is 1', 'is 2', 'not 1', 'or 1', 'question 1', 'that 1', 'the 1', 'to 1', 'to 2', 'to 3', 'to 4'];
  assert.deepEqual(lines, expected);
  assert.match(r.stderr, /local cluster with 2 TaskManager\(s\) of 2 slot\(s\)/);
  assert.match(r.stderr, /job [0-9a-f]{32} FINISHED/);
  // A normal end prints no error: the TaskManagers hear the JobManager is shutting down.
  assert.doesNotMatch(r.stderr, /fail|error|cannot reach/i);
});

test('kill -9 of a TaskManager process: the JobManager restarts the job on a replacement', async () => {
  const jm = startWeir(['jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-port', '0', '--parallelism', '2', '-Dheartbeat.interval=200ms', '-Dheartbeat.timeout=2s']);
  const tms: WeirProcess[] = [];
  try {
    const url = await eventually(() => restAddress(jm), 30_000, 'the JobManager REST address', () => jm.stderr());
    tms.push(startWeir(['taskmanager', '--jobmanager', url, '--slots', '1']), startWeir(['taskmanager', '--jobmanager', url, '--slots', '1']));
    const getJson = async <T>(path: string) => (await (await fetch(url + path)).json()) as T;
    const job = await eventually(
      async () => {
        const [j] = (await getJson<{ jobs: { jid: string; tasks: { running: number } }[] }>('/jobs/overview')).jobs;
        return j && j.tasks.running === 4 ? j : undefined;
      },
      30_000,
      'all four tasks running',
    );
    tms[0]!.child.kill('SIGKILL');
    tms.push(startWeir(['taskmanager', '--jobmanager', url, '--slots', '1']));
    const entries = await eventually(
      async () => {
        const found = (await getJson<{ exceptionHistory: { entries: { errorCode: string }[] } }>(`/jobs/${job.jid}/exceptions`)).exceptionHistory.entries;
        return found.length > 0 ? found : undefined;
      },
      30_000,
      'the lost TaskManager in the exception history',
    );
    assert.ok(['CONNECTION_LOST', 'TASK_MANAGER_LOST'].includes(entries[0]!.errorCode), entries[0]!.errorCode);
    // Running again on the replacement: every task runs, and the job went through RESTARTING.
    const detail = await eventually(
      async () => {
        const d = await getJson<{ state: string; timestamps: Record<string, number>; vertices: { tasks: { running: number } }[] }>(`/jobs/${job.jid}`);
        return d.state === 'RUNNING' && d.vertices.every((v) => v.tasks.running === 2) ? d : undefined;
      },
      60_000,
      'the job running again on the replacement',
    );
    assert.ok('RESTARTING' in detail.timestamps);
    // Not only RUNNING: the restarted attempt moves records through the replacement.
    await recordsFlowInAttempt(scrape(`${url}/metrics`), job.jid, 1);
    assert.equal((await fetch(`${url}/jobs/${job.jid}?mode=cancel`, { method: 'PATCH' })).status, 202);
    assert.equal(await jm.exited, 130);
  } finally {
    jm.child.kill('SIGKILL');
    for (const t of tms) t.child.kill('SIGTERM');
    await Promise.all(tms.map((t) => t.exited));
  }
});

test('killing weir run with SIGKILL leaves no JobManager or TaskManager behind', async () => {
  const run = startWeir(['run', 'test/fixtures/jobs/endless.ts', '--taskmanagers', '1']);
  await eventually(() => (/registered/.test(run.stderr()) ? true : undefined), 30_000, 'the TaskManager to register', () => run.stderr());
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(run.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
  assert.equal(children.length, 2);
  run.child.kill('SIGKILL');
  await run.exited;
  await eventually(() => (children.every((pid) => !alive(pid)) ? true : undefined), 10_000, 'the children to exit');
});
