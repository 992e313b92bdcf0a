/**
 * `--config-dir` (the operator's ConfigMap): settings from config.yaml reach the JobManager,
 * in the operator's flat JSON-quoted form or as nested YAML; with
 * execution.shutdown-on-application-finish false it keeps serving REST after its job ended
 * until it is told to stop, and -D on the command line wins over the file. What the operator
 * writes reads back as exactly the map it wrote. A broken file is refused with its name and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { parseConfigYaml } from '../../src/runtime/config/config-yaml.ts';
import { renderConfigFile, runtimeConfiguration } from '../../src/kube-operator/children/runtime-config.ts';

const weir = resolve('bin/weir.mjs');
const JOB = resolve('test/fixtures/jobs/endless.ts');
const STAYS = 'weir: the job ended; serving REST until stopped (execution.shutdown-on-application-finish: false)';

function confDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-conf-'));
  writeFileSync(join(dir, 'config.yaml'), text);
  return dir;
}

interface JobManager {
  readonly child: ChildProcessByStdio<null, null, Readable>;
  readonly exited: Promise<number | null>;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

function startJobManager(dir: string, extra: string[] = []): JobManager {
  const child = spawn(process.execPath, [weir, 'jobmanager', JOB, '--rest-port', '0', '--config-dir', dir, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((ok, fail) => {
      const check = () => {
        const m = pattern.exec(text);
        if (!m) return;
        child.stderr.off('data', check);
        ok(m);
      };
      child.stderr.on('data', check);
      check();
      void exited.then((code) => fail(new Error(`exited with ${code} before stderr showed ${pattern}; stderr: ${text}`)), fail);
    });
  return { child, exited, stderr: () => text, waitFor };
}

/** Waits for the job to run, cancels it over REST and returns the REST base address. */
async function cancelTheJob(jm: JobManager): Promise<{ base: string; jid: string }> {
  const base = (await jm.waitFor(/REST API on (http:\/\/[\d.]+:\d+)/))[1]!;
  const jid = (await jm.waitFor(/job ([0-9a-f]{32}) "endless" submitted/))[1]!;
  assert.equal((await fetch(`${base}/jobs/${jid}?mode=cancel`, { method: 'PATCH' })).status, 202);
  await jm.waitFor(new RegExp(`job ${jid} CANCELED`));
  return { base, jid };
}

async function outlivesItsJob(dir: string): Promise<void> {
  const jm = startJobManager(dir);
  const { base, jid } = await cancelTheJob(jm);
  await jm.waitFor(new RegExp(STAYS.replace(/[.()]/g, '\\$&')));
  const detail = (await (await fetch(`${base}/jobs/${jid}`)).json()) as { state: string };
  assert.equal(detail.state, 'CANCELED');
  assert.equal(jm.child.exitCode, null, 'still running after its job ended');
  jm.child.kill('SIGTERM');
  assert.equal(await jm.exited, 130);
}

test('a JobManager configured by the operator\'s flat file outlives its job, serves REST, and exits on SIGTERM', async () => {
  await outlivesItsJob(confDir('execution.shutdown-on-application-finish: "false"\n'));
});

test('nested YAML with a boolean configures the same setting', async () => {
  await outlivesItsJob(confDir('# Flink 1.19+ style\nexecution:\n  shutdown-on-application-finish: false\n'));
});

test('-D on the command line wins over config.yaml', async () => {
  const jm = startJobManager(confDir('execution:\n  shutdown-on-application-finish: false\n'), ['-Dexecution.shutdown-on-application-finish=true']);
  await cancelTheJob(jm);
  assert.equal(await jm.exited, 130);
  assert.ok(!jm.stderr().includes(STAYS), `stayed up although -D said to shut down; stderr: ${jm.stderr()}`);
});

test('a broken configuration file is refused with its path and line', async () => {
  const dir = confDir('taskmanager.numberOfTaskSlots: "2"\nthis is not a setting\n');
  const jm = startJobManager(dir);
  assert.equal(await jm.exited, 1);
  assert.equal(
    jm.stderr().trim(),
    `weir: [INVALID_CONFIGURATION] ${join(dir, 'config.yaml')} line 2, column 1: not valid YAML (Implicit map keys need to be followed by map values); write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"`,
  );
});

test('a setting given nested and flat is refused with both lines', async () => {
  const dir = confDir('taskmanager.numberOfTaskSlots: "2"\ntaskmanager:\n  numberOfTaskSlots: 3\n');
  const jm = startJobManager(dir);
  assert.equal(await jm.exited, 1);
  assert.equal(
    jm.stderr().trim(),
    `weir: [INVALID_CONFIGURATION] ${join(dir, 'config.yaml')} line 3: "taskmanager.numberOfTaskSlots" is already set on line 1 (a nested map and a dotted key name the same setting); keep one`,
  );
});

test('the ConfigMap the operator writes reads back as exactly the configuration it rendered', () => {
  const spec = {
    image: 'weir:1',
    configuration: { 'heartbeat.timeout': '10s', 'high-availability.type': 'kubernetes', 'state.checkpoints.dir': 's3://bucket/chk', 'taskmanager.numberOfTaskSlots': '2' },
    job: { entry: '/opt/weir/job/fraud.ts', parallelism: 4, maxParallelism: 64 },
  };
  const config = runtimeConfiguration(spec, 'fraud');
  assert.deepEqual(parseConfigYaml(renderConfigFile(config), 'config.yaml'), {
    'execution.shutdown-on-application-finish': 'false',
    'heartbeat.timeout': '10s',
    // HA ConfigMaps are named after the StreamDeployment.
    'high-availability.cluster-id': 'fraud',
    'high-availability.type': 'kubernetes',
    'parallelism.default': '4',
    'pipeline.max-parallelism': '64',
    'rest.port': '8081',
    'state.checkpoints.dir': 's3://bucket/chk',
    'taskmanager.numberOfTaskSlots': '2',
  });
});

test('values of any text survive the operator\'s rendering and the runtime\'s reading', () => {
  const values = ['', ' padded ', 'true', '010', '0x10', '~', 'null', '1e3', 'a: b', 'x # y', '#z', '- item', '[1, 2]', '{k: v}', '*alias', '&anchor', '!tag', '%p', '@at', '`tick`', "it's", 'say "hi"', 'back\\slash', 'line\nbreak', 'tab\there', 'bell\u0007', 'nul\u0000', 'sep\u2028par\u2029', 'ünïcødé 🌊', 'lone \ud800 surrogate', '---', '...', '>', '|', '? q'];
  const config = Object.fromEntries(values.map((v, i) => [`weird.value-${i}`, v]));
  assert.deepEqual(parseConfigYaml(renderConfigFile(config), 'config.yaml'), config);
});
