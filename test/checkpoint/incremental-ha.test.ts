/**
 * Incremental checkpoints across a JobManager change (HA store in memory, the job in this
 * process): the second JobMaster rebuilds the shared-file counts from the retained
 * checkpoints' `_metadata`, deletes a shared file a dead leader left unreferenced, keeps the
 * file every checkpoint still reads a never-changing key group from, and ends with exact
 * counts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { decodeKeyedStateFile } from '../../src/runtime/checkpoint/keyed-state-file.ts';
import { buildJobPlan } from '../../src/runtime/graph/job-plan.ts';
import { keyGroupFor } from '../../src/runtime/state/key-group.ts';
import { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { eventually } from '../support/eventually.ts';
import { readPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import { MemoryHaStore } from '../support/memory-ha-store.ts';

const RECORDS = 12_000;
const KEYS = 6;
/** Only record 0 has this key: its key group is written by the first checkpoint and never again. */
const ONCE = 1000;
const JOB_ID = 'cd'.repeat(16);

const job = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => ({ key: i === 0 ? ONCE : i % KEYS, count: 1 }))
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .collect('counts');
});

test('a second JobMaster rebuilds the shared-file counts from _metadata: a file still read survives its subsumptions, an orphan goes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-incremental-ha-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': dir, 'state.checkpoints.num-retained': '2', 'state.backend.incremental': 'true' };
  const plan = await buildJobPlan(job, { config });
  const store = new MemoryHaStore();
  const shared = join(dir, JOB_ID, 'shared');

  const first = new JobMaster(plan, Date.now, JOB_ID, undefined, store);
  first.start();
  await eventually(() => (first.checkpoints.stats.completed >= 4 ? true : undefined), 30_000, 'four completed checkpoints');
  first.suspend();
  await first.done;
  // The key group of key 1000 lies in the file of the first checkpoint that held it; every later one reads it from there.
  const onceGroup = keyGroupFor(ONCE, plan.jobGraph.vertices.find((v) => v.chain.length > 0 && v.maxParallelism > 0)!.maxParallelism);
  const holding: string[] = [];
  for (const n of await readdir(shared)) {
    const byOperator = decodeKeyedStateFile(await readFile(join(shared, n)), n);
    if ([...byOperator.values()].some((s) => s.keyGroups.has(onceGroup))) holding.push(n);
  }
  assert.equal(holding.length, 1, `one file holds key group ${onceGroup}: ${holding.join(', ')}`);
  const stillRead = holding;
  // What a leader that died between an upload and `_metadata` leaves behind.
  const { nextCheckpointId } = readPointers(store.data!);
  const orphan = `${nextCheckpointId - 1}-deadbeef-0-00000000.kgs`;
  await writeFile(join(shared, orphan), 'x');

  const second = new JobMaster(plan, Date.now, JOB_ID, undefined, store);
  second.start();
  // Three checkpoints of the second leader: both recovered checkpoints are subsumed by then.
  await eventually(() => (second.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three checkpoints of the second JobMaster');
  const names = await readdir(shared);
  assert.ok(!names.includes(orphan), 'the orphan is deleted');
  for (const n of stillRead) assert.ok(names.includes(n), `${n}, still read by the retained checkpoints, is kept`);
  assert.deepEqual(second.warnings, []);

  const result = await second.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const last = new Map<number, number>();
  for (const c of result.collected.get('counts') as { key: number; count: number }[]) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  assert.deepEqual(
    [...last].sort((a, b) => a[0] - b[0]),
    Array.from({ length: KEYS }, (_, k) => [k, RECORDS / KEYS - (k === 0 ? 1 : 0)]),
  );
});
