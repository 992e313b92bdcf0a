import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const weir = resolve('bin/weir.mjs');
const api = resolve('src/api/index.ts');
const fileSink = resolve('src/connectors/file/index.ts');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [weir, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeJob(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-cli-'));
  const file = join(dir, 'job.ts');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(file, `import { defineJob } from ${JSON.stringify(api)};\nimport { FileSink } from ${JSON.stringify(fileSink)};\n${body}`);
  return file;
}

test('weir run prints sink output, reports progress on stderr and exits 0', () => {
  const job = writeJob(`export default defineJob((env, args) => {
    env.fromElements('b', 'a', 'b', 'c', 'b').map((w) => ({ w, n: 1 })).keyBy((r) => r.w).sum('n')
      .filter((r) => r.n >= Number(args.min ?? 1)).map((r) => r.w + '=' + r.n).print();
  });`);
  const r = run(['run', job, '--', '--min', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['b=2', 'b=3']);
  assert.match(r.stderr, /5 records in, 2 out/);
  assert.match(r.stderr, /job finished/);
});

test('weir run --parallelism 4 prefixes print output with the subtask and writes part files', () => {
  const out = mkdtempSync(join(tmpdir(), 'weir-out-'));
  const job = writeJob(`export default defineJob((env) => {
    const s = env.fromCollection([1, 2, 3, 4, 5, 6, 7, 8]).rebalance().map((n) => n * 10);
    s.print();
    s.sinkTo(new FileSink(${JSON.stringify(out)}));
  });`);
  const r = run(['run', job, '--parallelism', '4']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 8);
  for (const l of lines) assert.match(l, /^[1-4]> \d+0$/);
  assert.deepEqual(lines.map((l) => Number(l.split('> ')[1])).sort((a, b) => a - b), [10, 20, 30, 40, 50, 60, 70, 80]);
  assert.deepEqual(readdirSync(out).sort(), ['part-0.txt', 'part-1.txt', 'part-2.txt', 'part-3.txt']);
  const written = readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').trim().split('\n')).map(Number);
  assert.deepEqual(written.sort((a, b) => a - b), [10, 20, 30, 40, 50, 60, 70, 80]);
});

test('a failing job exits 1 and names the operator and the cause', () => {
  const job = writeJob(`export default defineJob((env) => {
    env.fromElements(1, 2, 3).map((n) => { if (n === 2) throw new Error('cannot handle 2'); return n; }).name('picky').uid('picky-map').print();
  });`);
  const r = run(['run', job]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /job failed \[USER_FUNCTION_FAILED\]: operator "picky" \(uid "picky-map"\), subtask 1\/1, failed: cannot handle 2/);
});

test('bad invocations get a clear message and a non-zero exit', () => {
  assert.equal(run([]).code, 2);
  const missing = run(['run', '/nonexistent/job.ts']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[JOB_NOT_FOUND\] job module \/nonexistent\/job.ts does not exist/);
  const notAJob = writeJob('export default 42;');
  assert.match(run(['run', notAJob]).stderr, /\[NOT_A_JOB\] .* must export a job as its default export/);
  const throwing = writeJob(`export default defineJob(() => { throw new Error('no config'); });`);
  const t = run(['run', throwing]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /\[JOB_MAIN_FAILED\] the job's main function threw: no config/);
  assert.match(run(['run', throwing, '--parallelism', 'x']).stderr, /--parallelism needs a whole number >= 1, got x/);
});

test('the example job runs to completion and prints alerts and a summary', () => {
  const r = run(['run', 'examples/fraud-detection.ts', '--', '--transactions', '20000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ALERT acct-\d+: \$0\.\d\d then \$\d+\.\d\d at \w+/m);
  assert.match(r.stdout, /^summary> merchant \w+: \d+ transactions this hour$/m);
  assert.match(r.stderr, /20000 records in/);
});
