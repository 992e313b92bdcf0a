/**
 * Incremental checkpoints through the real coordinator, uploader and file storage: the
 * second checkpoint uploads exactly the key groups that changed, a shared file goes once no
 * retained checkpoint references it, a JobManager that takes over rebuilds the counts from
 * `_metadata` (and sweeps what a dead one left), and a restore at another parallelism reads
 * exactly the state of the checkpoint it restores.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobGraph } from '../../graph/job-graph.ts';
import { encodeKeyGroupState } from '../../state/snapshot/keyed-state-snapshot.ts';
import type { KeyedStateSnapshot } from '../../state/snapshot/keyed-state-snapshot.ts';
import type { CheckpointConfig } from '../checkpoint-config.ts';
import { CheckpointCoordinator } from '../checkpoint-coordinator.ts';
import type { CompletedCheckpoint } from '../checkpoint-coordinator.ts';
import { checkpointMetrics } from '../checkpoint-metrics.ts';
import { CheckpointRestore } from '../checkpoint-restore.ts';
import { checkpointStatsView } from '../../jobmanager/rest/checkpoint-views.ts';
import { encodeKeyedStateFile } from '../keyed-state-file.ts';
import { FileCheckpointStorage } from '../storage/file-checkpoint-storage.ts';
import { writeSubtaskSnapshot } from '../subtask-snapshot-writer.ts';
import { IncrementalUploader } from './incremental-uploader.ts';

const MAX_PARALLELISM = 8;
const OP = 'counter';
const JOB = 'job-incremental';

/** One vertex, one subtask (a source with keyed state keeps the test to one acknowledgement per checkpoint). */
function graph(parallelism: number): JobGraph {
  return {
    jobName: 'incremental',
    planHash: 'x',
    vertices: [{ id: 'v', uid: undefined, name: 'v', parallelism, maxParallelism: MAX_PARALLELISM, chain: [OP], operators: [{ id: OP, uid: undefined, name: 'counter', kind: 'source' }] }],
    edges: [],
  };
}

const config: CheckpointConfig = {
  intervalMs: undefined,
  mode: 'EXACTLY_ONCE',
  timeoutMs: 60_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailures: 0,
  retention: 'RETAIN_ON_CANCELLATION',
  numRetained: 1,
  dir: '',
  savepointDir: undefined,
};

/** Key group kg holds one ValueState entry: key kg, value `values[kg]`. */
function snapshotOf(values: readonly number[]): KeyedStateSnapshot {
  return {
    maxParallelism: MAX_PARALLELISM,
    keyGroups: new Map(values.map((v, kg) => [kg, encodeKeyGroupState({ states: [{ name: 'count', kind: 'value', ttl: false, entries: [[kg, '', v]] }], timers: [] })])),
  };
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'weir-incremental-'));
  const storage = new FileCheckpointStorage(dir);
  await storage.initJob(JOB);
  const warnings: string[] = [];
  const uploader = new IncrementalUploader('v', 0);
  const coordinator = (): CheckpointCoordinator =>
    new CheckpointCoordinator(config, storage, JOB, graph(1), {
      send: (m) => {
        if (m.kind === 'checkpointComplete') uploader.completed(m.checkpointId);
        if (m.kind === 'checkpointAborted') uploader.aborted(m.checkpointId);
      },
      checkpointable: () => true,
      failJob: (e) => assert.fail(e.message),
      warn: (w) => warnings.push(w),
    }, () => assert.fail('no other storage'));
  const c = coordinator();
  /** One checkpoint of the subtask with `values`; resolves to the completed checkpoint and the acknowledgement's sizes. */
  const checkpoint = async (values: readonly number[], savepointDir?: string, on = c) => {
    const done = on.trigger(savepointDir === undefined ? {} : { savepointDir });
    const id = on.stats.entries()[0]!.id;
    const keyed = snapshotOf(values);
    const ack = await writeSubtaskSnapshot(
      storage,
      storage.checkpointDir(JOB, id),
      { vertexId: 'v', subtask: 0, parallelism: 1, checkpointId: id, savepoint: savepointDir !== undefined, operators: new Map([[OP, { keyed: { maxParallelism: MAX_PARALLELISM, empty: false, complete: () => Promise.resolve(keyed), discard: () => undefined } }]]), syncDurationMs: 0, alignmentDurationMs: 0 },
      () => undefined,
      { uploader, jobId: JOB },
    );
    on.acknowledge(ack);
    return { completed: await done, ack };
  };
  return { dir, storage, c, coordinator, checkpoint, warnings };
}

/** What a restore of `from` at `parallelism` gives each subtask: key group -> the value it holds. */
async function restoredValues(storage: FileCheckpointStorage, from: CompletedCheckpoint, parallelism: number): Promise<Map<number, unknown>[]> {
  const { dir, metadata } = await storage.readMetadata(from.dir);
  const restore = new CheckpointRestore(storage, dir, metadata, graph(parallelism));
  const out: Map<number, unknown>[] = [];
  for (let s = 0; s < parallelism; s++) {
    const values = new Map<number, unknown>();
    for (const snapshot of (await restore.forSubtask('v', s))!.get(OP)!.keyed) {
      for (const [kg, bytes] of snapshot.keyGroups) values.set(kg, bytes);
    }
    out.push(values);
  }
  return out;
}

const sharedNames = async (storage: FileCheckpointStorage) => (await storage.listFiles(storage.sharedDir(JOB))).sort();

test('the second checkpoint uploads only the changed key groups; a shared file goes when no retained checkpoint needs it', async (t) => {
  const { dir, storage, c, checkpoint, warnings } = await setup();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const v1 = [10, 11, 12, 13, 14, 15, 16, 17];
  const first = await checkpoint(v1);
  // The first checkpoint uploads everything: one shared file of all eight key groups.
  assert.equal(first.ack.handle.checkpointedSize, encodeKeyedStateFile(new Map([[OP, snapshotOf(v1)]])).length);
  assert.equal(first.ack.handle.file, undefined);
  const [file1] = await sharedNames(storage);
  assert.match(file1!, /^1-v-0-[0-9a-f]{8}\.kgs$/);

  // Key group 2 changes: the second checkpoint writes a file of that one key group alone.
  const v2 = [...v1];
  v2[2] = 99;
  const second = await checkpoint(v2);
  const onlyKg2: KeyedStateSnapshot = { maxParallelism: MAX_PARALLELISM, keyGroups: new Map([[2, snapshotOf(v2).keyGroups.get(2)!]]) };
  assert.equal(second.ack.handle.checkpointedSize, encodeKeyedStateFile(new Map([[OP, onlyKg2]])).length);
  assert.equal(second.ack.handle.stateSize, [...snapshotOf(v2).keyGroups.values()].reduce((n, b) => n + b.length, 0));
  assert.deepEqual(
    second.ack.handle.shared!.map((r) => [r.checkpointId, r.operators[0]!.keyGroups]),
    [
      [1, [0, 1, 3, 4, 5, 6, 7]],
      [2, [2]],
    ],
  );
  // Checkpoint 1 is subsumed (one retained), but checkpoint 2 still reads seven key groups from its file.
  const names2 = await sharedNames(storage);
  assert.equal(names2.length, 2);
  assert.ok(names2.includes(file1!));
  // REST and metrics as Flink's: checkpointed_size (uploaded) apart from state_size (held).
  const latest = checkpointStatsView(c.stats, Date.now()).latest.completed!;
  assert.equal(latest.checkpointed_size, second.ack.handle.checkpointedSize);
  assert.equal(latest.state_size, second.ack.handle.stateSize);
  const metrics = checkpointMetrics(c.stats);
  assert.equal(metrics.lastCheckpointSize(), second.ack.handle.checkpointedSize);
  assert.equal(metrics.lastCheckpointFullSize(), second.ack.handle.stateSize);

  // Nothing changes: nothing is uploaded.
  const third = await checkpoint(v2);
  assert.equal(third.ack.handle.checkpointedSize, 0);
  assert.deepEqual(await sharedNames(storage), names2);

  // Every key group of file 1 changes: once checkpoint 3 is subsumed, file 1 has no reader left and is deleted.
  const v4 = v2.map((v, kg) => (kg === 2 ? v : v + 100));
  await checkpoint(v4);
  const names4 = await sharedNames(storage);
  assert.equal(names4.length, 2);
  assert.ok(!names4.includes(file1!));
  assert.deepEqual(warnings, []);
});

test('a savepoint is full and self-contained, whatever state.backend.incremental says', async (t) => {
  const { dir, storage, checkpoint } = await setup();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await checkpoint([1, 2, 3, 4, 5, 6, 7, 8]);
  const sp = await checkpoint([1, 2, 3, 4, 5, 6, 7, 9], join(dir, 'savepoints'));
  const handle = sp.completed.metadata.subtasks[0]!;
  assert.equal(handle.shared, undefined);
  assert.equal(handle.file, 'v-0.keys');
  assert.deepEqual(await storage.listFiles(sp.completed.dir), ['_metadata', 'v-0.keys'].sort());
  // The savepoint wrote nothing to shared/: only the first checkpoint's file is there.
  assert.equal((await sharedNames(storage)).length, 1);
});

test('a restore at another parallelism reads exactly the key groups of the checkpoint, each from the file listed for it', async (t) => {
  const { dir, storage, checkpoint } = await setup();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await checkpoint([0, 1, 2, 3, 4, 5, 6, 7]);
  await checkpoint([0, 1, 20, 3, 4, 5, 60, 7]);
  const last = await checkpoint([0, 10, 20, 3, 4, 5, 60, 70]);
  const expected = snapshotOf([0, 10, 20, 3, 4, 5, 60, 70]).keyGroups;
  for (const parallelism of [1, 2, 3]) {
    const bySubtask = await restoredValues(storage, last.completed, parallelism);
    const all = new Map<number, unknown>();
    for (const [s, values] of bySubtask.entries()) {
      for (const [kg, bytes] of values) {
        assert.ok(kg >= Math.ceil((s * MAX_PARALLELISM) / parallelism) && kg < Math.ceil(((s + 1) * MAX_PARALLELISM) / parallelism), `key group ${kg} at subtask ${s} of ${parallelism}`);
        all.set(kg, bytes);
      }
    }
    assert.deepEqual(all, expected, `at parallelism ${parallelism}`);
  }
});

test('a JobManager that takes over rebuilds the counts from _metadata and deletes what no retained checkpoint references', async (t) => {
  const { dir, storage, coordinator, checkpoint } = await setup();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await checkpoint([0, 1, 2, 3, 4, 5, 6, 7]);
  const [fileA] = await sharedNames(storage);
  const latest = await checkpoint([0, 1, 2, 3, 4, 5, 6, 8]);
  const kept = await sharedNames(storage);
  const fileB = kept.find((n) => n !== fileA)!;
  // What a JobManager that died between an upload and `_metadata` leaves, and what a checkpoint of the next one writes.
  await storage.writeSharedFile(JOB, '3-v-0-deadbeef.kgs', new Uint8Array(10));
  await storage.writeSharedFile(JOB, '4-v-0-cafebabe.kgs', new Uint8Array(10));
  const successor = coordinator();
  successor.recover([latest.completed], 4);
  assert.deepEqual(await successor.discardOrphanedSharedState(), ['3-v-0-deadbeef.kgs']);
  assert.deepEqual(await sharedNames(storage), [...kept, '4-v-0-cafebabe.kgs'].sort());
  await storage.deleteSharedFile(JOB, '4-v-0-cafebabe.kgs');
  // Key group 7 changes again: subsuming the recovered checkpoint releases file B (only it read it) but not
  // file A, which the new checkpoint still reads seven key groups from: the rebuilt count of A was 1.
  const next = await checkpoint([0, 1, 2, 3, 4, 5, 6, 9], undefined, successor);
  assert.equal(next.completed.id, 4);
  const after = await sharedNames(storage);
  assert.ok(after.includes(fileA!), 'file A is still read');
  assert.ok(!after.includes(fileB), 'file B is no longer read');
  assert.equal(after.length, 2);
});

test('a restored subtask builds on the checkpoint it restored: its first checkpoint uploads only what changed', async (t) => {
  const { dir, storage, checkpoint } = await setup();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await checkpoint([0, 1, 2, 3, 4, 5, 6, 7]);
  const restored = await checkpoint([0, 1, 2, 3, 4, 5, 60, 7]);
  const { dir: chkDir, metadata } = await storage.readMetadata(restored.completed.dir);
  const restore = (await new CheckpointRestore(storage, chkDir, metadata, graph(1)).forSubtask('v', 0))!;
  const values = [0, 1, 2, 30, 4, 5, 60, 7];
  const onlyKg3: KeyedStateSnapshot = { maxParallelism: MAX_PARALLELISM, keyGroups: new Map([[3, snapshotOf(values).keyGroups.get(3)!]]) };

  const fresh = new IncrementalUploader('v', 0);
  fresh.seed(JOB, restore);
  const next = await fresh.upload(storage, JOB, 3, new Map([[OP, snapshotOf(values)]]));
  assert.equal(next.uploaded, encodeKeyedStateFile(new Map([[OP, onlyKg3]])).length);
  assert.deepEqual(
    next.shared.map((r) => [r.checkpointId, r.operators[0]!.keyGroups]),
    [
      [1, [0, 1, 2, 4, 5, 7]],
      [2, [6]],
      [3, [3]],
    ],
  );
  // A checkpoint of another job is never built on; nor, after an abort, a restored one (it may not be retained).
  const other = new IncrementalUploader('v', 0);
  other.seed('another-job', restore);
  assert.equal((await other.upload(storage, JOB, 4, new Map([[OP, snapshotOf(values)]]))).uploaded, encodeKeyedStateFile(new Map([[OP, snapshotOf(values)]])).length);
  fresh.aborted(3);
  assert.equal((await fresh.upload(storage, JOB, 5, new Map([[OP, snapshotOf(values)]]))).uploaded, encodeKeyedStateFile(new Map([[OP, snapshotOf(values)]])).length);
});
