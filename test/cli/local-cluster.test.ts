/** The cluster as processes: weir jobmanager, weir taskmanager and weir run --taskmanagers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const weir = resolve('bin/weir.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [weir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  return { child, stderr: () => err, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function waitFor(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('weir run --taskmanagers 2 runs the job on a local cluster and prints what the TaskManagers print', () => {
  const r = spawnSync(process.execPath, [weir, 'run', 'test/fixtures/jobs/word-count.ts', '--taskmanagers', '2', '--parallelism', '3'], { encoding: 'utf8', timeout: 60_000 });
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
  const jm = start(['jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-port', '0', '--parallelism', '2', '-Dheartbeat.interval=200ms', '-Dheartbeat.timeout=2s']);
  const tms: ReturnType<typeof start>[] = [];
  try {
    await waitFor('the JobManager REST address', () => /REST API on http/.test(jm.stderr()));
    const url = /REST API on (http:\/\/\S+)/.exec(jm.stderr())![1]!;
    tms.push(start(['taskmanager', '--jobmanager', url, '--slots', '1']), start(['taskmanager', '--jobmanager', url, '--slots', '1']));
    const jobs = async () => ((await (await fetch(`${url}/jobs/overview`)).json()) as { jobs: { jid: string; state: string }[] }).jobs;
    await waitFor('both TaskManagers registered', () => tms.every((t) => /registered/.test(t.stderr())));
    const [job] = await jobs();
    await sleep(1000);
    tms[0]!.child.kill('SIGKILL');
    tms.push(start(['taskmanager', '--jobmanager', url, '--slots', '1']));
    let entries: { errorCode: string }[] = [];
    for (let i = 0; i < 200 && entries.length === 0; i++) {
      entries = ((await (await fetch(`${url}/jobs/${job!.jid}/exceptions`)).json()) as { exceptionHistory: { entries: { errorCode: string }[] } }).exceptionHistory.entries;
      await sleep(100);
    }
    assert.ok(entries.length >= 1);
    assert.ok(['CONNECTION_LOST', 'TASK_MANAGER_LOST'].includes(entries[0]!.errorCode), entries[0]!.errorCode);
    let state = '';
    for (let i = 0; i < 200 && state !== 'RUNNING'; i++) {
      state = ((await (await fetch(`${url}/jobs/${job!.jid}`)).json()) as { state: string }).state;
      if (state !== 'RUNNING') await sleep(100);
    }
    assert.equal(state, 'RUNNING');
    const detail = (await (await fetch(`${url}/jobs/${job!.jid}`)).json()) as { timestamps: Record<string, number> };
    assert.ok('RESTARTING' in detail.timestamps);
    assert.equal((await fetch(`${url}/jobs/${job!.jid}?mode=cancel`, { method: 'PATCH' })).status, 202);
    assert.equal(await jm.exited, 130);
  } finally {
    jm.child.kill('SIGKILL');
    for (const t of tms) t.child.kill('SIGTERM');
    await Promise.all(tms.map((t) => t.exited));
  }
});

test('killing weir run with SIGKILL leaves no JobManager or TaskManager behind', async () => {
  const run = start(['run', 'test/fixtures/jobs/endless.ts', '--taskmanagers', '1']);
  await waitFor('the TaskManager to register', () => /registered/.test(run.stderr()));
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(run.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
  assert.equal(children.length, 2);
  run.child.kill('SIGKILL');
  await run.exited;
  await waitFor('the children to exit', () => children.every((pid) => !alive(pid)), 10_000);
});
