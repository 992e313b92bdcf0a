/**
 * A slow sink on two TaskManagers: the source must be throttled by credit-based flow
 * control, so the records in flight and the memory stay bounded, and REST reports the
 * source as backpressured.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { eventually } from '../support/eventually.ts';

const slowSink = resolve('test/fixtures/jobs/slow-sink.ts');
const registry = new TaskManagerRegistry(100, 5000);
const dispatcher = new Dispatcher({ registry });
const rest = new RestServer(dispatcher, { port: 0 });
const tms: TaskManager[] = [];
after(async () => {
  await Promise.all(tms.map((t) => t.stop()));
  await rest.close();
});

test('a slow sink throttles the source across TaskManagers with bounded memory', async () => {
  const url = `http://127.0.0.1:${await rest.listen()}`;
  for (let i = 0; i < 2; i++) {
    const tm = new TaskManager({ jobManagerUrl: url, slots: 2, bufferTimeoutMs: 0 });
    await tm.start();
    tms.push(tm);
  }
  const master = await dispatcher.submit(await loadJob(slowSink), { parallelism: 4, jobPath: slowSink });
  try {
    const [source, sink] = master.plan.jobGraph.vertices;
    const counts = async () => {
      const vs = (await (await fetch(`${url}/jobs/${master.jobId}`)).json()) as { vertices: { metrics: { 'read-records': number } }[] };
      return { read: vs.vertices[0]!.metrics['read-records'], written: vs.vertices[1]!.metrics['read-records'] };
    };
    // Tasks run in the slots' worker threads: the resident set covers their heaps too.
    // Measured once 100K records have flowed, so the threads' heaps have grown to their working size.
    await eventually(async () => ((await counts()).written >= 100_000 ? true : undefined), 60_000, '100K records written');
    const rssBefore = process.memoryUsage().rss;
    const first = await counts();
    // Over the next 300K records the sinks write, the source may not run ahead by more than
    // the channels' credits: 4 sink subtasks x 1024 records per 10ms drain at most ~400K/s,
    // while an unthrottled source would produce millions.
    let second = first;
    await eventually(async () => ((second = await counts()).written >= first.written + 300_000 ? true : undefined), 60_000, '300K more records written', () => second);
    const inFlight = second.read - second.written;
    assert.ok(inFlight < 150_000, `records in flight: ${inFlight}`);
    assert.ok(second.read - first.read < second.written - first.written + 150_000, `source read ${second.read - first.read} while sinks wrote ${second.written - first.written}`);
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 150 * 1024 * 1024, `memory grew by ${Math.round(grown / 1024 / 1024)} MB (more than 150 MB)`);
    let level = 'none';
    await eventually(async () => {
      const bp = (await (await fetch(`${url}/jobs/${master.jobId}/vertices/${source!.id}/backpressure`)).json()) as { 'backpressure-level'?: string };
      level = bp['backpressure-level'] ?? 'none';
      return level === 'low' || level === 'high' ? true : undefined;
    }, 30_000, 'the source vertex reported as backpressured', () => level);
    assert.ok(sink);
  } finally {
    master.cancel();
    await master.done;
  }
});
