/**
 * `--config-dir` (the operator's ConfigMap): settings from config.yaml reach the JobManager,
 * and with execution.shutdown-on-application-finish: "false" it keeps serving REST after its
 * job ended until it is told to stop. A broken file is refused with its name and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const weir = resolve('bin/weir.mjs');
const JOB = resolve('test/fixtures/jobs/endless.ts');

function confDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-conf-'));
  writeFileSync(join(dir, 'config.yaml'), text);
  return dir;
}

test('a JobManager configured to outlive its job serves REST after the job ended, and exits on SIGTERM', async () => {
  const dir = confDir('execution.shutdown-on-application-finish: "false"\n');
  const child = spawn(process.execPath, [weir, 'jobmanager', JOB, '--rest-port', '0', '--config-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let stderr = '';
  const base = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no REST address; stderr: ${stderr}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /REST API on (http:\/\/[\d.]+:\d+)/.exec(stderr);
      if (m && /submitted/.test(stderr)) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
  });
  const { jobs } = (await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: { jid: string }[] };
  const jid = jobs[0]!.jid;
  assert.equal((await fetch(`${base}/jobs/${jid}?mode=cancel`, { method: 'PATCH' })).status, 202);
  for (let i = 0; i < 100 && !/CANCELED/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  const detail = (await (await fetch(`${base}/jobs/${jid}`)).json()) as { state: string };
  assert.equal(detail.state, 'CANCELED');
  assert.equal(child.exitCode, null, 'still running after its job ended');
  child.kill('SIGTERM');
  assert.equal(await exited, 130);
});

test('a broken configuration file is refused with its path and line', async () => {
  const dir = confDir('taskmanager.numberOfTaskSlots: "2"\nthis is not a setting\n');
  const child = spawn(process.execPath, [weir, 'jobmanager', JOB, '--rest-port', '0', '--config-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 1);
  assert.equal(stderr.trim(), `weir: [INVALID_CONFIGURATION] ${join(dir, 'config.yaml')} line 2: "this is not a setting" is not "key: value"`);
});
