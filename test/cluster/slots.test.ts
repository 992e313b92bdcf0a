/**
 * Slots are worker threads: one TaskManager with 2 slots runs subtask s of every vertex
 * in slot s's own thread, exchanges records between its slots, serves every slot's task
 * metrics, survives a slot thread dying, and leaves no thread or port behind on stop().
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';
import { recordsFlowInAttempt, scrape } from '../support/records-flow.ts';

const threadIds = resolve('test/fixtures/jobs/thread-ids.ts');
const endless = resolve('test/fixtures/jobs/endless.ts');
const exitInSlot = resolve('test/fixtures/jobs/exit-in-slot.ts');
const registry = new TaskManagerRegistry(100, 5000);
const dispatcher = new Dispatcher({ registry, slotWaitMs: 10_000 });
const rest = new RestServer(dispatcher, { port: 0 });
let tm: TaskManager;

before(async () => {
  const url = `http://127.0.0.1:${await rest.listen()}`;
  tm = new TaskManager({ jobManagerUrl: url, slots: 2, bufferTimeoutMs: 0 });
  await tm.start();
});

after(async () => {
  await tm.stop();
  await rest.close();
});

interface Tagged {
  i: number;
  sourceThread: number;
  keyedThread: number;
}

test('each slot runs in its own worker thread; records cross between the slots of one TaskManager', async () => {
  const master = await dispatcher.submit(await loadJob(threadIds), { parallelism: 2, jobPath: threadIds });
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const out = result.collected.get('out') as Tagged[];
  assert.deepEqual(out.map((r) => r.i).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
  const threads = [...new Set(out.map((r) => r.sourceThread))].sort();
  assert.equal(threads.length, 2);
  assert.ok(!threads.includes(threadId), 'no subtask runs on the main thread');
  assert.deepEqual([...new Set(out.map((r) => r.keyedThread))].sort(), threads);
  // keyBy sends about half of each slot's records to the other slot.
  assert.ok(out.some((r) => r.sourceThread !== r.keyedThread));
  assert.ok(out.some((r) => r.sourceThread === r.keyedThread));
});

test("the TaskManager's /metrics has the task metrics of every slot", async () => {
  const master = await dispatcher.submit(await loadJob(endless), { parallelism: 2, jobPath: endless });
  try {
    const address = registry.taskManagers.get(tm.id)!.metrics!;
    const scrape = async () => findSamples(parsePrometheusText(await (await fetch(`http://${address.host}:${address.port}/metrics`)).text()), 'flink_taskmanager_job_task_numRecordsIn', { job_id: master.jobId });
    const samples = await eventually(async () => {
      const found = await scrape();
      return found.length === 4 ? found : undefined;
    }, 30_000, 'task metrics of all 4 subtasks');
    // 2 vertices x 2 subtasks, one subtask of each vertex per slot.
    assert.deepEqual(samples.map((s) => `${s.labels.task_name}/${s.labels.subtask_index}`).sort(), [
      'Filter____Sink__Print_to_Std__Out/0',
      'Filter____Sink__Print_to_Std__Out/1',
      'Source__ticks/0',
      'Source__ticks/1',
    ]);
  } finally {
    master.cancel();
    assert.equal((await master.done).state, 'CANCELED');
  }
});

test('a slot thread that dies fails the attempt with SLOT_WORKER_DIED; the slot starts again on its port', async () => {
  const before = registry.taskManagers.get(tm.id)!.slotData.map((a) => a.port);
  // Parallelism 1: one worker dies, and no second one can die later, in the next job's time.
  const master = await dispatcher.submit(await loadJob(exitInSlot), { parallelism: 1, jobPath: exitInSlot });
  const result = await master.done;
  assert.equal(result.state, 'FAILED');
  assert.equal(result.error?.code, 'SLOT_WORKER_DIED');
  assert.match(result.error!.message, /the worker thread of slot [01] on TaskManager tm-[0-9a-f]+ exited with code 7/);
  // An uncaught error names its cause.
  const thrown = await (await dispatcher.submit(await loadJob(exitInSlot), { parallelism: 1, jobPath: exitInSlot, args: { mode: 'throw' } })).done;
  assert.equal(thrown.error?.code, 'SLOT_WORKER_DIED');
  assert.match(thrown.error!.message, /exited with code 1: TypeError: boom in a timer$/);
  // The same slots (same data ports) run the next job.
  const again = await dispatcher.submit(await loadJob(threadIds), { parallelism: 2, jobPath: threadIds });
  const r = await again.done;
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual(registry.taskManagers.get(tm.id)!.slotData.map((a) => a.port), before);
});

test('a TaskManager the JobManager declared lost cancels what it still runs, registers again and takes the restart', async () => {
  const master = await dispatcher.submit(await loadJob(endless), { parallelism: 2, jobPath: endless });
  const address = registry.taskManagers.get(tm.id)!.metrics!;
  const attempts = async () => {
    const text = await (await fetch(`http://${address.host}:${address.port}/metrics`)).text();
    return [...new Set(findSamples(parsePrometheusText(text), 'flink_taskmanager_job_task_numRecordsIn', { job_id: master.jobId }).map((s) => s.labels.task_attempt_num))];
  };
  const waitForAttempts = async (expected: string[]) => {
    let seen: string[] = [];
    await eventually(async () => ((seen = await attempts()).join() === expected.join() ? true : undefined), 30_000, `attempts ${expected.join()}`, () => seen);
  };
  try {
    await waitForAttempts(['0']);
    // As if its heartbeats had stopped arriving for longer than the timeout.
    assert.deepEqual(registry.expire(Date.now() + 60_000), [tm.id]);
    await waitForAttempts(['1']);
    assert.equal(master.exceptions[0]!.code, 'TASK_MANAGER_LOST');
    assert.ok(registry.taskManagers.has(tm.id), 'registered again');
    // The restart does not only run: it moves records.
    assert.equal((await recordsFlowInAttempt(scrape(`http://${address.host}:${address.port}/metrics`), master.jobId, 1)).attempt, 1);
  } finally {
    master.cancel();
    await master.done;
  }
});

test('a slot whose data endpoint cannot listen fails start() with NETWORK_LISTEN_FAILED', async () => {
  // 203.0.113.1 (TEST-NET-3) is not an address of this machine.
  const broken = new TaskManager({ jobManagerUrl: 'http://127.0.0.1:1', slots: 2, host: '203.0.113.1' });
  await assert.rejects(broken.start(), (err: { code?: string; retriable?: boolean; message?: string }) => {
    assert.equal(err.code, 'NETWORK_LISTEN_FAILED');
    assert.equal(err.retriable, true);
    assert.match(err.message!, /^slot [01]: cannot listen on 203\.0\.113\.1:0/);
    return true;
  });
});

test('stop() ends the slot threads: their data ports refuse connections', async () => {
  const addresses = registry.taskManagers.get(tm.id)!.slotData;
  await tm.stop();
  for (const a of addresses) {
    const refused = await new Promise<string>((resolveCode) => {
      const socket = connect(a.port, a.host);
      socket.once('connect', () => {
        socket.destroy();
        resolveCode('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolveCode(err.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
  }
});
