import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerExecArgv } from './slot-worker-handle.ts';

test('slot threads get the parent diagnostic flags only: no loader twice, no process-wide flags', () => {
  assert.deepEqual(
    workerExecArgv(['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '--max-old-space-size=4096', '--heap-prof', '--enable-source-maps', '--openssl-legacy-provider']),
    ['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--heap-prof', '--enable-source-maps'],
  );
  assert.deepEqual(workerExecArgv(['--cpu-prof-dir', '/tmp/p', '--import=tsx', '--heap-prof-interval', '512']), ['--cpu-prof-dir', '/tmp/p', '--heap-prof-interval', '512']);
  assert.deepEqual(workerExecArgv([]), []);
});
