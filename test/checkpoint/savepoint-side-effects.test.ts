/**
 * Savepoints and exactly-once sinks, as in Flink: a savepoint of a job that goes on commits
 * nothing (a failover restores the latest checkpoint, not the savepoint, and would write the
 * same records again); the next checkpoint commits what the savepoint pre-committed; a stop
 * with a savepoint commits, since the job ends with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, TwoPhaseCommitSink, WatermarkStrategy } from '../../src/api/index.ts';
import type { Source, SourceReader } from '../../src/api/source.ts';
import { buildJobPlan } from '../../src/runtime/graph/job-plan.ts';
import { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { eventually } from '../support/eventually.ts';

/** How many numbers the source may emit; it waits for more once it reached this. */
let allowed = 50;
let release = (): void => undefined;

class SteppedSource implements Source<number> {
  readonly boundedness = 'CONTINUOUS_UNBOUNDED';
  readonly maxParallelism = 1;
  createReader(): SourceReader<number> {
    let next = 0;
    return {
      pollNext(output, maxRecords) {
        if (next >= allowed) return new Promise<void>((resolve) => (release = resolve));
        for (let n = 0; n < maxRecords && next < allowed; n++) output.collect(next++);
        return 'more';
      },
      snapshotState: () => [next],
    };
  }
}

const written: number[] = [];
const committed: number[] = [];

class MemorySink extends TwoPhaseCommitSink<number, number[]> {
  protected beginTransaction(): number[] {
    return [];
  }
  protected write(txn: number[], values: readonly number[]): void {
    txn.push(...values);
    written.push(...values);
  }
  protected preCommit(): void {}
  protected commit(txn: number[]): void {
    committed.push(...txn.splice(0));
  }
  protected abort(): void {}
}

const job = defineJob((env) => {
  env.setParallelism(1);
  env.fromSource(new SteppedSource(), WatermarkStrategy.noWatermarks<number>(), 'stepped').uid('stepped').sinkTo(new MemorySink(), 'memory').uid('memory');
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('a savepoint commits nothing, the next checkpoint commits it, and a stop with a savepoint commits the rest', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-savepoint-side-effects-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const plan = await buildJobPlan(job, { config: { 'execution.checkpointing.interval': '1h', 'state.checkpoints.dir': join(dir, 'checkpoints') } });
  const master = new JobMaster(plan);
  master.start();
  // A failed assertion leaves the job running: it must not keep the file's process alive.
  t.after(async () => {
    if (master.status === 'RUNNING') master.cancel();
    await master.done;
  });
  await eventually(() => (written.length === 50 && master.checkpointable() ? true : undefined), 30_000, 'the first 50 written', () => written.length);

  await master.savepoint(join(dir, 'savepoints'), 'continue');
  assert.deepEqual(committed, [], 'a savepoint of a job that goes on commits nothing');

  await master.checkpoints.trigger();
  await eventually(() => (committed.length === 50 ? true : undefined), 30_000, 'the checkpoint commits', () => committed.length);
  assert.deepEqual(committed, range(0, 50));

  allowed = 80;
  release();
  await eventually(() => (written.length === 80 ? true : undefined), 30_000, '30 more written', () => written.length);
  await master.savepoint(join(dir, 'savepoints'), 'stop');
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual(committed, range(0, 80), 'the stop commits the rest');
});
