/**
 * scripts/run-tests.mjs fails a test file that leaves something open when its tests are
 * done (naming what), ends a file that never finishes, and passes a file that cleans up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { eventually } from '../support/eventually.ts';

interface Run {
  code: number | null;
  output: string;
}

/** Runs the runner on one fixture file, as `npm run test:only -- <file>` does. */
function runTests(file: string, env: Record<string, string>): Promise<Run> {
  // Without the variable node's runner sets in this file's process (the runner started here
  // must run as a top-level runner, not report to this one), nor the check's own settings
  // this run may have been given.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT' && !k.startsWith('WEIR_TEST_')));
  const child = spawn(process.execPath, ['scripts/run-tests.mjs', file], { env: { ...outer, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The lines the exit check printed, without the reporter's indentation or prefix. */
const checkLines = (output: string) => output.split('\n').flatMap((l) => /test-exit-check:.*$/.exec(l) ?? []);

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a file that leaves a server, an interval and a child process open fails, naming each; the child process is ended', async () => {
  const file = 'test/tooling/fixtures/leaks-handles.test.ts';
  const run = await runTests(file, { WEIR_TEST_EXIT_WITHIN_MS: '1000' });
  assert.equal(run.code, 1, run.output);
  const [, port, pid] = /leaked port=(\d+) pid=(\d+)/.exec(run.output) ?? assert.fail(run.output);
  assert.deepEqual(checkLines(run.output).sort(), [
    `test-exit-check: ${file} did not exit within 1s after its tests ended; still open:`,
    `test-exit-check:   1 timer(s) (setTimeout/setInterval); WEIR_TEST_LEAK_STACKS=1 shows where they were created`,
    `test-exit-check:   Server listening on 127.0.0.1:${port}`,
    `test-exit-check:   child process ${pid}: ${process.execPath} -e setInterval(() => {}, 60_000)`,
  ].sort());
  // SIGKILL is delivered and the orphan reaped a moment after the file's process ends.
  await eventually(() => (isRunning(Number(pid)) ? undefined : true), 10_000, `the leaked child process ${pid} to end`);
});

test('with WEIR_TEST_LEAK_STACKS=1 the report says where the leaked handles were created', async () => {
  const file = 'test/tooling/fixtures/leaks-handles.test.ts';
  const run = await runTests(file, { WEIR_TEST_EXIT_WITHIN_MS: '1000', WEIR_TEST_LEAK_STACKS: '1' });
  assert.equal(run.code, 1, run.output);
  const lines = checkLines(run.output);
  const created = (what: RegExp) => {
    const at = lines.findIndex((l) => what.test(l));
    assert.notEqual(at, -1, lines.join('\n'));
    return lines[at + 1];
  };
  assert.match(created(/Server listening on .*, created$/) ?? '', /leaks-handles\.test\.ts:10:/);
  assert.match(created(/timer \(setTimeout\/setInterval\), created$/) ?? '', /leaks-handles\.test\.ts:11:/);
  assert.match(created(/child process .*, created$/) ?? '', /leaks-handles\.test\.ts:12:/);
});

test('a file whose tests never finish is ended after the file time limit', async () => {
  const file = 'test/tooling/fixtures/never-finishes.test.ts';
  const run = await runTests(file, { WEIR_TEST_FILE_LIMIT_MS: '1000' });
  assert.equal(run.code, 1, run.output);
  assert.deepEqual(checkLines(run.output), [
    `test-exit-check: ${file} did not finish its tests within 1s; still open:`,
    `test-exit-check:   1 timer(s) (setTimeout/setInterval); WEIR_TEST_LEAK_STACKS=1 shows where they were created`,
  ]);
});

test('a file that closes what it opens passes', async () => {
  const run = await runTests('test/tooling/fixtures/closes-handles.test.ts', { WEIR_TEST_EXIT_WITHIN_MS: '1000' });
  assert.equal(run.code, 0, run.output);
  assert.deepEqual(checkLines(run.output), []);
});
