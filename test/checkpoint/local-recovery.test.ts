/**
 * Recovery from checkpoints on the JobManager, with the job in this process: a failure
 * after checkpoints completed restarts the job from the latest one. The sources resume at
 * their checkpointed positions (the new attempt reads only what came after) and keyed state
 * resumes from the checkpointed counts, so the final counts are exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { FileSink } from '../../src/connectors/file/index.ts';
import { readFile } from 'node:fs/promises';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';

const RECORDS = 6000;
const KEYS = 6;
/** The test sets it once a checkpoint completed; the job's map then fails once. */
const fault = { armed: false, fired: 0 };

/** Passes a record on, or throws once when the test armed the fault. */
function failOnceWhenArmed(i: number): number {
  if (fault.armed) {
    fault.armed = false;
    fault.fired++;
    throw new Error('injected failure');
  }
  return i;
}

const job = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 3000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => ({ key: failOnceWhenArmed(i) % KEYS, count: 1 }))
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .collect('counts');
});

test('a failed job restarts from its latest checkpoint: sources resume, keyed state is exact', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-recovery-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dispatcher = new Dispatcher();
  const master = await dispatcher.submit(job, {
    config: {
      'execution.checkpointing.interval': '100ms',
      'state.checkpoints.dir': dir,
      'state.checkpoints.num-retained': '2',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '2',
      'restart-strategy.fixed-delay.delay': '10ms',
    },
  });
  await eventually(() => (master.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three completed checkpoints', () => master.checkpoints.stats.completed);
  // Retained checkpoints are trimmed to num-retained as new ones complete.
  assert.ok((await readdir(join(dir, master.jobId))).filter((n) => n.startsWith('chk-')).length <= 3);
  fault.armed = true;
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(fault.fired, 1);
  assert.equal(master.numRestarts, 1);
  assert.match(master.exceptions[0]!.message, /^operator "Map" \(uid "ones"\), subtask [01]\/2, failed: injected failure$/);
  const restored = master.checkpoints.stats.lastRestore;
  assert.ok(restored, 'the restart restored a checkpoint');
  assert.ok(restored.id >= 3);

  // The last attempt emitted only what came after the checkpoint...
  const counts = result.collected.get('counts') as { key: number; count: number }[];
  assert.ok(counts.length < RECORDS, `the restarted attempt re-read ${counts.length} of ${RECORDS} records`);
  // ...and its running counts went on from the restored state to the exact totals.
  const last = new Map<number, number>();
  for (const c of counts) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  assert.deepEqual([...last].sort((a, b) => a[0] - b[0]), Array.from({ length: KEYS }, (_, k) => [k, RECORDS / KEYS]));
  // A finished job's checkpoints are deleted with it.
  assert.deepEqual(await readdir(dir), []);
});

/** Every visible line of the sink's part files. */
async function committedLines(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('part-'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).flatMap((text) => text.split('\n').filter((l) => l !== ''));
}

test('the exactly-once file sink: after a failure and a restore, the visible files hold every record once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-exactly-once-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  const sinkJob = defineJob((env) => {
    env.setParallelism(2);
    env
      .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 3000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
      .uid('numbers')
      .map(failOnceWhenArmed)
      .uid('pass')
      .rebalance()
      .sinkTo(new FileSink<number>(out, { exactlyOnce: true }), 'files')
      .uid('files');
  });
  fault.fired = 0;
  const master = await new Dispatcher().submit(sinkJob, {
    config: {
      'execution.checkpointing.interval': '100ms',
      'state.checkpoints.dir': join(dir, 'checkpoints'),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '2',
      'restart-strategy.fixed-delay.delay': '10ms',
    },
  });
  await eventually(() => (master.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three completed checkpoints');
  // Before the failure some files are visible already: those of completed checkpoints.
  const before = await committedLines(out);
  assert.ok(before.length > 0 && before.length < RECORDS);
  fault.armed = true;
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(fault.fired, 1);
  const lines = (await committedLines(out)).map(Number).sort((a, b) => a - b);
  assert.equal(lines.length, RECORDS);
  assert.deepEqual(lines, Array.from({ length: RECORDS }, (_, i) => i));
});
