/**
 * Checkpoints when things go wrong: an unreadable `_metadata` makes recovery fall back to the
 * previous retained checkpoint, saying so in the exception history; checkpoints complete
 * under backpressure from a slow sink; a checkpoint that times out counts against the
 * tolerable failures, and the job fails over once there are more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import type { Sink } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';

const fault = { armed: false };
const RECORDS = 9000;

function countingJob(sink?: Sink<{ key: number; count: number }>, records = RECORDS) {
  return defineJob((env) => {
    env.setParallelism(2);
    const counts = env
      .fromSource(new DataGeneratorSource((i) => i, records, { recordsPerSecond: 3000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
      .uid('numbers')
      .map((i) => {
        if (fault.armed) {
          fault.armed = false;
          throw new Error('injected failure');
        }
        return { key: i % 3, count: 1 };
      })
      .uid('ones')
      .keyBy((r) => r.key)
      .sum('count')
      .uid('counts');
    if (sink) counts.sinkTo(sink, 'slow').uid('slow');
    else counts.collect('counts');
  });
}

test('an unreadable _metadata: recovery falls back to the checkpoint before it and says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-corrupt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const master = await new Dispatcher().submit(countingJob(), {
    config: { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': dir, 'state.checkpoints.num-retained': '3', 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.delay': '1s' },
  });
  await eventually(() => (master.checkpoints.recoveryCandidates().length === 3 ? true : undefined), 30_000, 'three retained checkpoints');
  fault.armed = true;
  // While the job waits to restart no checkpoint is taken: damage the newest before the restart reads it.
  await eventually(() => (master.status === 'RESTARTING' ? true : undefined), 30_000, 'the job to wait for its restart', () => master.status);
  const [newest, previous] = master.checkpoints.recoveryCandidates();
  await writeFile(join(newest!.dir, '_metadata'), 'not a checkpoint');
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const fallback = master.exceptions.find((e) => e.code === 'CORRUPT_CHECKPOINT');
  assert.ok(fallback, JSON.stringify(master.exceptions.map((e) => e.message)));
  assert.match(fallback.message, new RegExp(`^checkpoint ${newest!.id} cannot be restored, falling back to an older one: .*_metadata is not a readable checkpoint or savepoint: it starts with "not a ch"`));
  assert.ok(master.checkpoints.stats.lastRestore!.id <= previous!.id);
  // Restored from an older checkpoint, the counts are still exact.
  const last = new Map<number, number>();
  for (const c of result.collected.get('counts') as { key: number; count: number }[]) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  assert.deepEqual([...last].sort((a, b) => a[0] - b[0]), [[0, 3000], [1, 3000], [2, 3000]]);
});

test('checkpoints complete under backpressure from a slow sink', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-backpressure-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A sink that stands for a slow external system: each write takes 1ms per record. Its delay
  // is the sink's own cost, not a wait of the test, which waits on the checkpoints below.
  const slow: Sink<{ key: number; count: number }> = { createWriter: () => ({ write: (values) => new Promise<void>((r) => setTimeout(r, values.length)) }) };
  const master = await new Dispatcher().submit(countingJob(slow), { config: { 'execution.checkpointing.interval': '100ms', 'execution.checkpointing.timeout': '20s', 'state.checkpoints.dir': dir } });
  await eventually(() => (master.checkpoints.stats.completed >= 3 ? true : undefined), 60_000, 'three checkpoints under backpressure', () => master.checkpoints.stats.lastFailed?.failureMessage);
  assert.equal(master.checkpoints.stats.failed, 0);
  master.cancel();
  await master.done;
});

test('checkpoints that time out count against the tolerable failures; then the job fails over', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-timeout-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A sink whose first write waits until the test opens it: no barrier gets past it.
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const stuck: Sink<{ key: number; count: number }> = { createWriter: () => ({ write: () => gate }) };
  const master = await new Dispatcher().submit(countingJob(stuck), {
    config: {
      'execution.checkpointing.interval': '20ms',
      'execution.checkpointing.timeout': '50ms',
      'execution.checkpointing.tolerable-failed-checkpoints': '2',
      'state.checkpoints.dir': dir,
      'restart-strategy.type': 'none',
    },
  });
  await eventually(() => (master.checkpoints.stats.failed >= 3 ? true : undefined), 30_000, 'three expired checkpoints', () => master.checkpoints.stats.failed);
  open();
  const result = await master.done;
  assert.equal(result.state, 'FAILED');
  assert.equal(result.error?.code, 'CHECKPOINT_FAILURES_EXCEEDED');
  assert.match(result.error!.message, /^3 checkpoint\(s\) failed in a row, more than execution\.checkpointing\.tolerable-failed-checkpoints \(2\) allows; the last: checkpoint \d+ expired before completing \(execution\.checkpointing\.timeout: 50ms\)$/);
  assert.ok(master.checkpoints.stats.failed >= 3);
});
