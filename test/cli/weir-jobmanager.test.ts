import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { restAddress, startWeir } from '../support/weir-process.ts';
import type { WeirProcess } from '../support/weir-process.ts';

const weir = resolve('bin/weir.mjs');

function endlessJob(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-jm-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const file = join(dir, 'job.ts');
  writeFileSync(
    file,
    `import { defineJob, WatermarkStrategy } from ${JSON.stringify(resolve('src/api/index.ts'))};
import { DataGeneratorSource } from ${JSON.stringify(resolve('src/connectors/datagen/index.ts'))};
export default defineJob((env) => {
  env.setJobName('ticker');
  env.fromSource(new DataGeneratorSource((i) => i, Infinity, { recordsPerSecond: 500 }), WatermarkStrategy.noWatermarks(), 'ticks').filter(() => false).print();
});`,
  );
  return file;
}

test('weir jobmanager serves REST for its job; cancelling over REST ends the process with 130', async () => {
  const child = spawn(process.execPath, [weir, 'jobmanager', endlessJob(), '--rest-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const base = await new Promise<string>((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`no REST address within 30s; stderr: ${stderr}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /REST API on (http:\/\/[\d.]+:\d+)/.exec(stderr);
      if (m && /submitted/.test(stderr)) {
        clearTimeout(timer);
        resolveBase(m[1]!);
      }
    });
  });
  try {
    const overview = (await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: { jid: string; name: string; state: string }[] };
    assert.equal(overview.jobs.length, 1);
    assert.equal(overview.jobs[0]!.name, 'ticker');
    assert.equal(overview.jobs[0]!.state, 'RUNNING');
    const cancel = await fetch(`${base}/jobs/${overview.jobs[0]!.jid}?mode=cancel`, { method: 'PATCH' });
    assert.equal(cancel.status, 202);
    assert.equal(await exited, 130);
    assert.match(stderr, new RegExp(`job ${overview.jobs[0]!.jid} CANCELED`));
  } finally {
    child.kill('SIGKILL');
  }
});

test('SIGTERM while a TaskManager cannot confirm the cancel (gone, as in a deleted deployment): the JobManager stops within seconds, not after the heartbeat timeout', async () => {
  const jm = startWeir(['jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-port', '0', '--parallelism', '1', '-Dheartbeat.timeout=120s']);
  const tms: WeirProcess[] = [];
  try {
    const base = await eventually(() => restAddress(jm), 30_000, 'the REST address', () => jm.stderr());
    tms.push(startWeir(['taskmanager', '--jobmanager', base, '--slots', '1']));
    await eventually(async () => {
      const [job] = ((await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: { tasks: { running: number; total: number } }[] }).jobs;
      return job && job.tasks.running === job.tasks.total ? true : undefined;
    }, 60_000, 'the tasks running', () => jm.stderr());
    tms[0]!.child.kill('SIGKILL');
    await tms[0]!.exited;
    const signalled = Date.now();
    jm.child.kill('SIGTERM');
    assert.equal(await jm.exited, 130);
    // STOP_WAIT_MS (3 s) and the exit, with room for a loaded machine; the heartbeat timeout is 120 s.
    assert.ok(Date.now() - signalled < 60_000, `stopped after ${Date.now() - signalled} ms`);
    assert.match(jm.stderr(), /weir: job [0-9a-f]{32} still CANCELLING 3 s after the stop signal: stopping without waiting for its TaskManagers\n/);
  } finally {
    for (const p of [jm, ...tms]) p.child.kill('SIGKILL');
    await Promise.all([jm, ...tms].map((p) => p.exited));
  }
});
