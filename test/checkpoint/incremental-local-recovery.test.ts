/**
 * Local recovery with incremental checkpoints, the job in this process (which is then its
 * own TaskManager): every shared file is deleted from the checkpoint storage after
 * checkpoints completed, then the job fails once. Key 1000 (a key group of its own) is
 * counted once, by the first record, so every later checkpoint reads it from the first
 * checkpoint's file, which is among those deleted. With `state.backend.local-recovery` the
 * restart reads the TaskManager's copies and the counts come out exact; without it the same
 * restore finds the files gone and the job fails, which shows the copies were what was read.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';

const RECORDS = 6000;
const KEYS = 6;
/** Only record 0 has this key: its key group never changes after the first checkpoint. */
const ONCE = 1000;
const fault = { armed: false, fired: 0 };

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
    .map((i) => ({ key: i === 0 ? ONCE : failOnceWhenArmed(i) % KEYS, count: 1 }))
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .collect('counts');
});

async function runDeletingSharedFiles(localRecovery: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'weir-local-recovery-'));
  const local = join(dir, 'local');
  fault.fired = 0;
  try {
    const master = await new Dispatcher().submit(job, {
      config: {
        'execution.checkpointing.interval': '100ms',
        'state.checkpoints.dir': join(dir, 'chk'),
        'state.backend.incremental': 'true',
        'state.backend.local-recovery': String(localRecovery),
        'taskmanager.state.local.root-dirs': local,
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '2',
        'restart-strategy.fixed-delay.delay': '10ms',
      },
    });
    const shared = join(dir, 'chk', master.jobId, 'shared');
    await eventually(() => (master.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three completed checkpoints');
    // Whatever checkpoint the restart restores, it reads key 1000's key group from a file deleted here.
    for (const name of await readdir(shared)) await rm(join(shared, name), { force: true });
    fault.armed = true;
    const result = await master.done;
    const copies = await readdir(local, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    return { master, result, copies };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('with local recovery a restart reads the TaskManager copies of the shared files: exact counts though the storage lost them', async () => {
  const { master, result, copies } = await runDeletingSharedFiles(true);
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(fault.fired, 1);
  assert.equal(master.numRestarts, 1);
  const last = new Map<number, number>();
  for (const c of result.collected.get('counts') as { key: number; count: number }[]) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  // The last attempt's output: counts went on from the restored state (key 0 lost record 0 to key 1000, which the restarted attempt never sees).
  assert.deepEqual(
    [...last].sort((a, b) => a[0] - b[0]),
    Array.from({ length: KEYS }, (_, k) => [k, RECORDS / KEYS - (k === 0 ? 1 : 0)]),
  );
  // Finished tasks drop their copies.
  assert.deepEqual(copies.filter((n) => n.endsWith('.kgs')), []);
});

test('without local recovery the same restore finds the shared files gone', async () => {
  const { result, copies } = await runDeletingSharedFiles(false);
  assert.equal(result.state, 'FAILED');
  assert.equal(result.error?.code, 'CORRUPT_CHECKPOINT');
  assert.deepEqual(copies, []);
});
