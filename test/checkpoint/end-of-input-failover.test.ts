/**
 * A bounded job with an exactly-once sink whose JobManager fails over around the end of its
 * input. The input stops halfway until a checkpoint covering the first half completed; then
 * the rest comes and the input ends, and the moment the sink commits that rest the
 * JobManager lets go of the job (as a JobManager that loses its lock does). The next
 * JobManager resumes from the HA pointer, which covers only the first half, and replays the
 * rest. Exactly-once means every record is committed once across both: the sink commits what
 * remains at the end of input only when the final checkpoint after the end (FLIP-147), which
 * records it, completed; the second JobManager restores that checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, TwoPhaseCommitSink, WatermarkStrategy } from '../../src/api/index.ts';
import type { Source, SourceReader, SourceReaderContext } from '../../src/api/source.ts';
import { buildJobPlan } from '../../src/runtime/graph/job-plan.ts';
import { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { readPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import { eventually } from '../support/eventually.ts';
import { MemoryHaStore } from '../support/memory-ha-store.ts';

const TOTAL = 100;
const HALF = 50;
const JOB_ID = 'cd'.repeat(16);

/** The test's hold on the input: it stops at HALF until opened. */
let gateOpen = false;
let openGate = (): void => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

class GatedSource implements Source<number> {
  readonly boundedness = 'BOUNDED';
  readonly maxParallelism = 1;
  createReader(ctx: SourceReaderContext): SourceReader<number> {
    let next = ctx.restoredState.length > 0 ? (ctx.restoredState[0] as number) : 0;
    return {
      pollNext(output, maxRecords) {
        if (next === HALF && !gateOpen) return gate;
        for (let n = 0; n < maxRecords && next < TOTAL && (next !== HALF || gateOpen); n++) output.collect(next++);
        return next < TOTAL ? 'more' : 'end';
      },
      snapshotState: () => [next],
    };
  }
}

/** What the sink made visible, in order; a transaction is committed once however often it is asked to be. */
const committed: number[] = [];
const committedTxns = new Set<string>();
let afterCommit: (() => void) | undefined;
let txnCount = 0;

interface Txn {
  id: string;
  values: number[];
}

class MemoryExactlyOnceSink extends TwoPhaseCommitSink<number, Txn> {
  protected beginTransaction(): Txn {
    return { id: `txn-${txnCount++}`, values: [] };
  }
  protected write(txn: Txn, values: readonly number[]): void {
    txn.values.push(...values);
  }
  protected preCommit(): void {}
  protected commit(txn: Txn): void {
    if (committedTxns.has(txn.id)) return;
    committedTxns.add(txn.id);
    committed.push(...txn.values);
    afterCommit?.();
  }
  protected abort(): void {}
}

const job = defineJob((env) => {
  env.setParallelism(1);
  env
    .fromSource(new GatedSource(), WatermarkStrategy.noWatermarks<number>(), 'gated')
    .uid('gated')
    .map((i) => i)
    .uid('same')
    .sinkTo(new MemoryExactlyOnceSink(), 'memory')
    .uid('memory');
});

test('a JobManager failing over right after the sink committed the end of the input: every record committed once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-end-of-input-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Checkpoints only when the test asks: none can fall between the gate opening and the end of input.
  const plan = await buildJobPlan(job, { config: { 'execution.checkpointing.interval': '1h', 'state.checkpoints.dir': dir } });
  const store = new MemoryHaStore();

  const first = new JobMaster(plan, Date.now, JOB_ID, undefined, store);
  first.start();
  await eventually(() => (first.checkpointable() ? true : undefined), 30_000, 'the first job running');
  await eventually(() => first.checkpoints.trigger().then((c) => c.id), 30_000, 'a checkpoint');
  await eventually(() => (committed.length === HALF ? true : undefined), 30_000, 'the first half committed on checkpoint completion', () => committed.length);
  assert.equal(readPointers(store.data!).pointers.length, 1);

  afterCommit = () => {
    if (committed.length < TOTAL) return;
    afterCommit = undefined;
    first.suspend();
  };
  gateOpen = true;
  openGate();
  await first.done;
  assert.equal(first.status, 'SUSPENDED', 'the first JobManager let go of the job before it finished');

  const second = new JobMaster(plan, Date.now, JOB_ID, undefined, store);
  second.start();
  const result = await second.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual(
    [...committed].sort((a, b) => a - b),
    Array.from({ length: TOTAL }, (_, i) => i),
  );
});
