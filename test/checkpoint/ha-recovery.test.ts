/**
 * The JobMaster with high availability, with the job in this process and the HA store in
 * memory: a leader records each completed checkpoint (only the retained ones) and the
 * counter; a second JobMaster of the same job id, after the first let go (SUSPENDED),
 * restores from the newest pointer, goes on counting checkpoints, ends with exact keyed
 * counts, records its result before it deletes the job's HA data and marks it clean after.
 * A third JobMaster given that result does not run the job: it reports it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan } from '../../src/runtime/graph/job-plan.ts';
import { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { readPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import { eventually } from '../support/eventually.ts';
import { MemoryHaStore } from '../support/memory-ha-store.ts';

const RECORDS = 6000;
const KEYS = 6;
const JOB_ID = 'ab'.repeat(16);

const job = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => ({ key: i % KEYS, count: 1 }))
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .collect('counts');
});

test('a second JobMaster of the same job resumes from the newest HA pointer, continues the counter, and cleans up at the end', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-ha-recovery-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const plan = await buildJobPlan(job, { config: { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': dir, 'state.checkpoints.num-retained': '2' } });
  const store = new MemoryHaStore();

  const first = new JobMaster(plan, Date.now, JOB_ID, undefined, store);
  first.start();
  await eventually(() => (first.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three completed checkpoints', () => first.checkpoints.stats.completed);
  first.suspend();
  const firstResult = await first.done;
  assert.equal(first.status, 'SUSPENDED');
  assert.notEqual(firstResult.state, 'FINISHED');
  assert.equal(store.discarded, 0, 'a suspended job keeps its HA data');

  // Exactly the retained checkpoints (the two newest completed) are pointed at, and their directories are still there.
  const recorded = readPointers(store.data!);
  const newest = recorded.pointers[0]!;
  assert.equal(newest.checkpointId, first.checkpoints.stats.lastCompleted?.id);
  assert.deepEqual(recorded.pointers.map((p) => p.checkpointId), [newest.checkpointId, newest.checkpointId - 1]);
  const kept = await readdir(join(dir, JOB_ID));
  for (const p of recorded.pointers) assert.ok(kept.includes(`chk-${p.checkpointId}`), `chk-${p.checkpointId} kept`);
  // The checkpoint retention dropped goes too (deleted right after the newer one completed).
  await eventually(async () => (!(await readdir(join(dir, JOB_ID))).includes(`chk-${newest.checkpointId - 2}`) ? true : undefined), 10_000, `chk-${newest.checkpointId - 2} deleted`);
  assert.equal(newest.location, join(dir, JOB_ID, `chk-${newest.checkpointId}`));
  assert.equal(recorded.nextCheckpointId, newest.checkpointId + 1);
  const emittedBefore = (firstResult.collected.get('counts') ?? []).length;

  const second = new JobMaster(plan, Date.now, JOB_ID, undefined, store);
  second.start();
  await eventually(() => (second.checkpoints.stats.completed >= 1 ? true : undefined), 30_000, 'a checkpoint of the second JobMaster');
  assert.equal(second.checkpoints.stats.lastRestore?.id, newest.checkpointId, 'restored from the newest pointer');
  const afterRestore = readPointers(store.data!);
  assert.equal(afterRestore.pointers[0]!.checkpointId, newest.checkpointId + 1, 'the counter went on from the first leader');
  const result = await second.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(store.discarded, 1, 'the finished job deleted its HA data');
  assert.equal(store.data, undefined);
  assert.deepEqual(store.ending, ['record FINISHED (dirty)', 'discard HA data', 'mark clean']);
  assert.equal(store.result?.jobId, JOB_ID);
  assert.ok(store.result.endTime >= store.result.startTime);

  // A JobManager that finds the result reports it and runs nothing (a dirty one finishes the cleanup).
  const third = new JobMaster(plan, Date.now, JOB_ID, () => assert.fail('a job with a recorded result must not run'), store);
  third.endAsRecorded({ record: store.result, clean: false });
  assert.equal(third.status, 'FINISHED');
  assert.equal((await third.done).state, 'FINISHED');
  assert.deepEqual(store.ending.slice(3), ['discard HA data', 'mark clean']);

  // The second JobMaster emitted only what came after the checkpoint, with counts going on from it.
  const counts = result.collected.get('counts') as { key: number; count: number }[];
  assert.ok(counts.length < RECORDS && counts.length > 0, `resumed, not restarted: ${counts.length} of ${RECORDS} (the first emitted ${emittedBefore})`);
  const last = new Map<number, number>();
  for (const c of counts) last.set(c.key, Math.max(last.get(c.key) ?? 0, c.count));
  assert.deepEqual([...last].sort((a, b) => a[0] - b[0]), Array.from({ length: KEYS }, (_, k) => [k, RECORDS / KEYS]));
  const firstCounts = new Map<number, number>();
  for (const c of counts) if (!firstCounts.has(c.key)) firstCounts.set(c.key, c.count);
  for (const [key, count] of firstCounts) assert.ok(count > 1, `key ${key} went on from its restored count (first emitted ${count})`);
});
