// Loaded (--import) into each test file's process by scripts/run-tests.mjs. A test file's
// process must exit by itself once its tests and after-hooks are done: whatever keeps it
// alive then (a listening server, a socket, an interval, a child process) was leaked by a
// test or by the code under test. When the file has not exited EXIT_WITHIN_MS after its
// tests ended, this names what is still open and ends the process with code 1, so the
// runner fails the file. A file that never finishes its tests is ended after FILE_LIMIT_MS.
//
// WEIR_TEST_LEAK_STACKS=1 records where each handle and timer was created (slower) and
// prints it with the report.
import { createHook } from 'node:async_hooks';
import { tracingChannel } from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';
import { relative } from 'node:path';
import { isMainThread } from 'node:worker_threads';

const EXIT_WITHIN_MS = Number(process.env.WEIR_TEST_EXIT_WITHIN_MS ?? 5_000);
const FILE_LIMIT_MS = Number(process.env.WEIR_TEST_FILE_LIMIT_MS ?? 600_000);
const MARK = 'test-exit-check:';

const file = process.argv[1] ?? '';
// Node's runner starts each file as `node <flags> <file>` with NODE_TEST_CONTEXT=child-v8.
// Processes and workers the tests start may inherit the environment; they are not checked.
const isTestFileProcess = isMainThread && process.env.NODE_TEST_CONTEXT === 'child-v8' && /\.test\.[cm]?[jt]s$/.test(file);
if (isTestFileProcess) watchFile();

function watchFile() {
  const name = relative(process.cwd(), file);
  const stacks = process.env.WEIR_TEST_LEAK_STACKS === '1' ? recordCreationStacks() : undefined;
  setTimeout(() => fail(`${name} did not finish its tests within ${FILE_LIMIT_MS / 1000}s`, stacks), FILE_LIMIT_MS).unref();
  // The root test's end is published after the file's last after-hook has run.
  tracingChannel('node.test').end.subscribe((test) => {
    if (test.name !== '<root>' || test.nesting !== 0) return;
    setTimeout(() => fail(`${name} did not exit within ${EXIT_WITHIN_MS / 1000}s after its tests ended`, stacks), EXIT_WITHIN_MS).unref();
  });
}

function fail(headline, stacks) {
  const open = openResources(stacks);
  const lines = [`${MARK} ${headline}; still open:`, ...(open.length > 0 ? open : ['(nothing this check can name)']).map((l) => `${MARK}   ${l}`)];
  writeSync(2, `${lines.join('\n')}\n`);
  // A leaked child process would outlive the runner: end it with the file.
  for (const handle of process._getActiveHandles()) {
    if (handle.constructor?.name === 'ChildProcess' && handle.exitCode === null) handle.kill('SIGKILL');
  }
  process.exit(1);
}

/** What keeps the event loop alive, apart from the runner's own stdio. */
function openResources(stacks) {
  const stdio = new Set([process.stdout._handle, process.stderr._handle].filter(Boolean));
  const lines = [];
  for (const handle of process._getActiveHandles()) {
    if (stdio.has(handle._handle) || (typeof handle.hasRef === 'function' && !handle.hasRef())) continue;
    lines.push(withStack(describe(handle), stacks?.of(handle._handle ?? handle)));
  }
  const timers = process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
  if (stacks !== undefined) {
    for (const stack of stacks.liveTimers()) lines.push(withStack('timer (setTimeout/setInterval)', stack));
  } else if (timers > 0) {
    lines.push(`${timers} timer(s) (setTimeout/setInterval); WEIR_TEST_LEAK_STACKS=1 shows where they were created`);
  }
  for (const request of process._getActiveRequests()) lines.push(`pending ${request.constructor?.name ?? 'request'}`);
  return lines;
}

function describe(handle) {
  const kind = handle.constructor?.name ?? 'handle';
  if (kind === 'ChildProcess') return `child process ${handle.pid}: ${handle.spawnargs.join(' ')}`;
  if (typeof handle.listening === 'boolean' && typeof handle.address === 'function') {
    const address = handle.address();
    return `${kind} listening on ${typeof address === 'string' ? address : `${address?.address}:${address?.port}`}`;
  }
  if (handle.remotePort !== undefined || handle.localPort !== undefined) {
    return `${kind} ${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}`;
  }
  return kind;
}

function withStack(line, stack) {
  return stack === undefined ? line : `${line}, created\n${stack.map((l) => `${MARK}       ${l}`).join('\n')}`;
}

/**
 * Where live handles and timers were created, as async_hooks reports them. A handle node
 * creates on a later tick (a server's socket, made in listen()'s nextTick) has no frame of
 * the test's own: it takes the stack of the resource that triggered it.
 */
function recordCreationStacks() {
  Error.stackTraceLimit = 30;
  const stackById = new Map();
  const live = new Map();
  const byResource = new WeakMap();
  createHook({
    init(id, type, trigger, resource) {
      if (type === 'PROMISE') return;
      const frames = (new Error().stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => !/\(node:|at node:/.test(l) && !l.includes(import.meta.url));
      const stack = frames.length > 0 ? frames.slice(0, 8) : (stackById.get(trigger) ?? []);
      stackById.set(id, stack);
      live.set(id, resource);
      byResource.set(resource, stack);
    },
    destroy(id) {
      stackById.delete(id);
      live.delete(id);
    },
  }).enable();
  return {
    of: (resource) => byResource.get(resource),
    liveTimers: () => [...live.values()].filter((r) => r.constructor?.name === 'Timeout' && r.hasRef() && !r._destroyed).map((r) => byResource.get(r)),
  };
}
