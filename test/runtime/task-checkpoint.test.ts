/**
 * The task side of a checkpoint, end to end in one process: a trigger reaches the source
 * tasks through their control inboxes, barriers flow and are aligned at the keyed tasks,
 * every task acknowledges its snapshot (source positions, keyed state, sink writer state).
 * A new run restored from those snapshots, at another parallelism, resumes the sources where
 * they were and ends with exactly the totals of an uninterrupted run: nothing lost, nothing
 * counted twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import type { ReaderOutput, Sink, Source, SourcePoll, SourceReaderContext } from '../../src/api/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointRestore } from '../../src/runtime/checkpoint/checkpoint-restore.ts';
import { FileCheckpointStorage } from '../../src/runtime/checkpoint/storage/file-checkpoint-storage.ts';
import type { SubtaskCheckpointAck } from '../../src/runtime/checkpoint/subtask-snapshot-writer.ts';
import { buildJobPlan } from '../../src/runtime/graph/job-plan.ts';
import type { CheckpointBarrier } from '../../src/runtime/stream-element.ts';
import { TaskGroup } from '../../src/runtime/task/task-group.ts';
import { eventually } from '../support/eventually.ts';

const SPLITS = 4;
const PER_SPLIT = 500;

interface Rec {
  i: number;
  key: number;
}

/** How many records all readers together may emit; the test opens it. */
const gate = { limit: 0, emitted: 0 };

/** Split j holds records j*500 .. j*500+499; a reader's state is each of its splits' next record. */
class GatedSource implements Source<Rec> {
  readonly boundedness = 'BOUNDED';

  createReader(ctx: SourceReaderContext) {
    const positions = new Map<number, number>(
      ctx.restoredState.length > 0
        ? (ctx.restoredState as [number, number][])
        : Array.from({ length: SPLITS }, (_, j) => j)
            .filter((j) => j % ctx.parallelism === ctx.subtaskIndex)
            .map((j) => [j, 0] as [number, number]),
    );
    return {
      pollNext(output: ReaderOutput<Rec>, max: number): SourcePoll {
        let n = 0;
        for (let progress = true; progress && n < max; ) {
          progress = false;
          for (const [j, next] of positions) {
            if (next >= PER_SPLIT || gate.emitted >= gate.limit) continue;
            const i = j * PER_SPLIT + next;
            output.collect({ i, key: i % 5 });
            positions.set(j, next + 1);
            gate.emitted++;
            n++;
            progress = true;
          }
        }
        if ([...positions.values()].every((p) => p >= PER_SPLIT)) return 'end';
        return n > 0 ? 'more' : ctx.currentProcessingTime() + 1;
      },
      snapshotState: () => [...positions],
    };
  }
}

/** Collects into the job result and snapshots how many records it wrote. */
const sink: Sink<Rec & { total: number }> = {
  createWriter: (ctx) => {
    let written = (ctx.restoredState[0] as number | undefined) ?? 0;
    return {
      write: (values) => {
        written += values.length;
        ctx.addToResult('sums', values);
      },
      snapshotState: () => [written],
    };
  },
};

function job(parallelism: number) {
  return defineJob((env) => {
    env.setParallelism(parallelism);
    env
      .fromSource(new GatedSource(), WatermarkStrategy.noWatermarks<Rec>(), 'gated')
      .setParallelism(2)
      .uid('source')
      .map((r) => ({ ...r, total: 1 }))
      .uid('ones')
      .keyBy((r) => r.key)
      .sum('total')
      .uid('sums')
      .sinkTo(sink, 'sums')
      .uid('sink');
  });
}

const barrier: CheckpointBarrier = { kind: 'barrier', checkpointId: 1, timestamp: 0, mode: 'EXACTLY_ONCE', savepoint: false };

test('a checkpoint through inboxes and aligned barriers restores at another parallelism with exact totals', async (t) => {
  gate.limit = 600;
  gate.emitted = 0;
  const dir = await mkdtemp(join(tmpdir(), 'weir-task-checkpoint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const storage = new FileCheckpointStorage(dir);
  const plan1 = await buildJobPlan(job(2));
  const acks: SubtaskCheckpointAck[] = [];
  const first = new TaskGroup(plan1, { checkpointStorage: { storage, jobId: 'job' }, listener: { checkpointAcknowledged: (a) => acks.push(a) } });
  const firstRun = first.run();
  await eventually(() => (gate.emitted === 600 ? true : undefined), 30_000, '600 records read', () => gate.emitted);
  first.post({ kind: 'triggerCheckpoint', barrier }, (t) => t.source !== undefined);
  await eventually(() => (acks.length === first.tasks.length ? true : undefined), 30_000, 'every task to acknowledge', () => acks.length);
  first.cancel();
  assert.equal((await firstRun).state, 'CANCELED');

  // What the snapshots hold: the sources' positions add up to the 600 records read before
  // the barrier; the sinks wrote exactly the records that reached them before it.
  const sourceOps = acks.flatMap((a) => a.handle.operators.filter((o) => o.id === plan1.jobGraph.vertices[0]!.chain[0]));
  const positions = sourceOps.flatMap((o) => o.list as [number, number][]);
  assert.deepEqual(positions.map(([j]) => j).sort(), [0, 1, 2, 3]);
  assert.equal(positions.reduce((n, [, p]) => n + p, 0), 600);
  const sinkVertex = plan1.jobGraph.vertices.find((v) => v.name.includes('Sink'))!;
  const written = acks.filter((a) => a.handle.vertexId === sinkVertex.id).map((a) => a.handle.operators.find((o) => o.id === sinkVertex.chain.at(-1)!)!.list[0] as number);
  assert.equal(written.reduce((a, b) => a + b, 0), 600);
  // Only the keyed sums' tasks wrote state files; the sources and sinks hold operator state only.
  const keyedVertex = plan1.jobGraph.vertices[1]!;
  assert.deepEqual([...new Set(acks.filter((a) => a.handle.file !== undefined).map((a) => a.handle.vertexId))], [keyedVertex.id]);

  // Completed as the coordinator does it: _metadata last, then read back from the directory.
  const chk = storage.checkpointDir('job', 1);
  await storage.writeMetadata(chk, { jobId: 'job', checkpointId: 1, timestamp: 0, savepoint: false, subtasks: acks.map((a) => a.handle) });
  const { dir: restoreDir, metadata } = await storage.readMetadata(chk);

  // Restore at parallelism 3 and let every record through.
  gate.limit = Infinity;
  const plan2 = await buildJobPlan(job(3));
  const restore = new CheckpointRestore(storage, restoreDir, metadata, plan2.jobGraph);
  const second = new TaskGroup(plan2, { restore: (vertexId, subtask) => restore.forSubtask(vertexId, subtask) });
  const result = await second.run();
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const sums = result.collected.get('sums') as (Rec & { total: number })[];
  // Every record after the checkpoint, once: 2000 - 600.
  assert.equal(sums.length, SPLITS * PER_SPLIT - 600);
  // The running totals go on from the restored state and end at the exact counts: 400 per key.
  const last = new Map<number, number>();
  for (const s of sums) last.set(s.key, Math.max(last.get(s.key) ?? 0, s.total));
  assert.deepEqual([...last].sort((a, b) => a[0] - b[0]), [0, 1, 2, 3, 4].map((k) => [k, 400]));
});

test('with checkpointing on, ended tasks answer a trigger at once, a task reached before its end answers when it ends, and all finish only on completion', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-task-final-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // The sink holds its writes until the test opens it, so the keyed task's input cannot end before the trigger.
  let openSink = (): void => undefined;
  const sinkOpen = new Promise<void>((resolve) => (openSink = resolve));
  const heldSink: Sink<Rec & { total: number }> = {
    createWriter: () => {
      let written = 0;
      return {
        write: async (values) => {
          await sinkOpen;
          written += values.length;
        },
        snapshotState: () => [written],
      };
    },
  };
  const bounded = defineJob((env) => {
    env.setParallelism(1);
    env
      .fromSource(new GatedSource(), WatermarkStrategy.noWatermarks<Rec>(), 'gated')
      .uid('source')
      .map((r) => ({ ...r, total: 1 }))
      .keyBy((r) => r.key)
      .sum('total')
      .uid('sums')
      .sinkTo(heldSink, 'held')
      .uid('sink');
  });
  gate.limit = Infinity;
  gate.emitted = 0;
  const plan = await buildJobPlan(bounded, { config: { 'execution.checkpointing.interval': '1h' } });
  const acks: SubtaskCheckpointAck[] = [];
  const ended: string[] = [];
  const group = new TaskGroup(plan, {
    checkpointStorage: { storage: new FileCheckpointStorage(dir), jobId: 'job' },
    listener: { checkpointAcknowledged: (a) => acks.push(a), inputEnded: (vertexId) => ended.push(vertexId) },
  });
  const [sourceVertex, keyedVertex] = plan.jobGraph.vertices;
  const run = group.run();
  // A failed assertion leaves the tasks waiting: they must not keep the file's process alive.
  t.after(async () => {
    group.cancel();
    await run;
  });
  await eventually(() => (ended.includes(sourceVertex!.id) ? true : undefined), 30_000, 'the source to end');
  group.post({ kind: 'triggerCheckpoint', barrier });
  await eventually(() => (acks.length === 1 ? true : undefined), 30_000, 'the ended source to answer');
  assert.equal(acks[0]!.handle.vertexId, sourceVertex!.id);
  assert.deepEqual(ended, [sourceVertex!.id], 'the keyed task has not ended');

  openSink();
  await eventually(() => (acks.length === 2 ? true : undefined), 30_000, 'the keyed task to answer once its input ended');
  assert.deepEqual(ended, [sourceVertex!.id, keyedVertex!.id]);
  const sinkState = acks[1]!.handle.operators.find((o) => o.id === keyedVertex!.chain.at(-1)!)!;
  assert.deepEqual(sinkState.list, [SPLITS * PER_SPLIT], 'the snapshot holds every record written');
  assert.deepEqual(group.subtaskStates().map((s) => s.state), ['RUNNING', 'RUNNING'], 'both wait for the checkpoint to complete');

  group.post({ kind: 'checkpointComplete', checkpointId: 1 });
  assert.equal((await run).state, 'FINISHED');
});
