/**
 * Incremental checkpoints with deltas, end to end below the task: real backends (heap and
 * RocksDB) that track changes, the uploader, the coordinator and file storage. A checkpoint
 * after 1% of keys changed uploads deltas only, restores (also at another parallelism) equal
 * the live state, chains are written in full again past the policy, and shared files go once
 * no retained checkpoint reads them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../api/state.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import { VirtualClock } from '../../task/clock.ts';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import { KeyGroupRange, keyGroupFor } from '../../state/key-group.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import { RocksDbKeyedStateBackend } from '../../state/rocksdb/rocksdb-keyed-state-backend.ts';
import { rocksDbOptions } from '../../state/rocksdb/rocksdb-options.ts';
import type { CheckpointConfig } from '../checkpoint-config.ts';
import { CheckpointCoordinator } from '../checkpoint-coordinator.ts';
import type { CompletedCheckpoint } from '../checkpoint-coordinator.ts';
import { sharedFilesOf } from '../checkpoint-metadata.ts';
import { CheckpointRestore } from '../checkpoint-restore.ts';
import { FileCheckpointStorage } from '../storage/file-checkpoint-storage.ts';
import { writeSubtaskSnapshot } from '../subtask-snapshot-writer.ts';
import type { SubtaskCheckpointAck } from '../subtask-snapshot-writer.ts';
import type { DeltaPolicy } from './delta-config.ts';
import { IncrementalUploader } from './incremental-uploader.ts';
import { LocalStateCopies } from './local-state-copies.ts';

const MAX = 32;
const OP = 'counter';
const JOB = 'job-delta';
const KEYS = Array.from({ length: 1000 }, (_, i) => `key-${i}`);

function graph(parallelism: number): JobGraph {
  return {
    jobName: 'delta',
    planHash: 'x',
    vertices: [{ id: 'v', uid: undefined, name: 'v', parallelism, maxParallelism: MAX, chain: [OP], operators: [{ id: OP, uid: undefined, name: 'counter', kind: 'source' }] }],
    edges: [],
  };
}

const config: CheckpointConfig = {
  intervalMs: undefined,
  mode: 'EXACTLY_ONCE',
  timeoutMs: 60_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailures: 5,
  retention: 'RETAIN_ON_CANCELLATION',
  numRetained: 1,
  dir: '',
  savepointDir: undefined,
};

type Kind = 'heap' | 'rocksdb';

async function backendFor(kind: Kind, dir: string, range: KeyGroupRange, label: string): Promise<KeyedStateBackend> {
  const clock = new VirtualClock(0);
  if (kind === 'heap') return new HeapKeyedStateBackend({ clock, maxParallelism: MAX, keyGroupRange: range, trackChanges: true });
  const rocks = rocksDbOptions(new Map([['state.backend.rocksdb.localdir', join(dir, 'rocks', label)], ['state.backend.rocksdb.cache.max-keys', '64']]));
  return new RocksDbKeyedStateBackend({ clock, maxParallelism: MAX, keyGroupRange: range, rocks, label, trackChanges: true });
}

const owns = (b: KeyedStateBackend) => (k: string) => b.keyGroupRange.contains(keyGroupFor(k, MAX));

/** Sets value and map state of `keys` (those the backend owns) to `round`. */
async function write(b: KeyedStateBackend, keys: readonly string[], round: number): Promise<void> {
  const mine = keys.filter(owns(b));
  const value = b.getValueState(new ValueStateDescriptor<string>('v'));
  const map = b.getMapState(new MapStateDescriptor<string, number>('m'));
  await b.prefetch(mine);
  for (const k of mine) {
    b.setCurrentKey(k);
    value.update(`${k}@${round}`);
    map.put('round', round);
  }
}

/** Every owned key's state: key -> [value, map entries]. */
async function read(bs: readonly KeyedStateBackend[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const b of bs) {
    const value = b.getValueState(new ValueStateDescriptor<string>('v'));
    const map = b.getMapState(new MapStateDescriptor<string, number>('m'));
    const mine = KEYS.filter(owns(b));
    await b.prefetch(mine);
    for (const k of mine) {
      b.setCurrentKey(k);
      out.set(k, [value.value(), map.entries().sort()]);
    }
  }
  return new Map([...out].sort());
}

async function job(kind: Kind, parallelism: number, policy: DeltaPolicy, local?: LocalStateCopies) {
  const dir = await mkdtemp(join(tmpdir(), 'weir-delta-'));
  const storage = new FileCheckpointStorage(dir);
  await storage.initJob(JOB);
  const subtasks = await Promise.all(
    Array.from({ length: parallelism }, async (_, s) => ({
      backend: await backendFor(kind, dir, KeyGroupRange.forSubtask(MAX, parallelism, s), `p${parallelism}-${s}`),
      uploader: new IncrementalUploader('v', s, local, policy),
    })),
  );
  const coordinator = new CheckpointCoordinator(config, storage, JOB, graph(parallelism), {
    send: (m) => {
      for (const { uploader } of subtasks) {
        if (m.kind === 'checkpointComplete') uploader.completed(m.checkpointId);
        if (m.kind === 'checkpointAborted') uploader.aborted(m.checkpointId);
      }
    },
    checkpointable: () => true,
    failJob: (e) => assert.fail(e.message),
    warn: (w) => assert.fail(w),
  }, () => assert.fail('no other storage'));
  const checkpoint = async (on = coordinator, of = subtasks): Promise<{ completed: CompletedCheckpoint; acks: SubtaskCheckpointAck[] }> => {
    const done = on.trigger({});
    const id = on.stats.entries()[0]!.id;
    const acks: SubtaskCheckpointAck[] = [];
    for (const [s, { backend, uploader }] of of.entries()) {
      const keyed = backend.captureSnapshot();
      const ack = await writeSubtaskSnapshot(
        storage,
        storage.checkpointDir(JOB, id),
        { vertexId: 'v', subtask: s, parallelism: of.length, checkpointId: id, operators: new Map([[OP, { keyed }]]), syncDurationMs: 0, alignmentDurationMs: 0 },
        () => undefined,
        { uploader, jobId: JOB },
      );
      acks.push(ack);
      on.acknowledge(ack);
    }
    return { completed: await done, acks };
  };
  /** Fresh backends at `p`, restored from `from`; with uploaders seeded as a restored task's are. */
  const restore = async (from: CompletedCheckpoint, p: number) => {
    const { dir: chkDir, metadata } = await storage.readMetadata(from.dir);
    const r = new CheckpointRestore(storage, chkDir, metadata, graph(p), local);
    return Promise.all(
      Array.from({ length: p }, async (_, s) => {
        const backend = await backendFor(kind, dir, KeyGroupRange.forSubtask(MAX, p, s), `restored-${from.id}-p${p}-${s}`);
        const restored = (await r.forSubtask('v', s))!;
        backend.restore(restored.get(OP)!.keyed);
        const uploader = new IncrementalUploader('v', s, local, policy);
        uploader.seed(JOB, restored);
        return { backend, uploader };
      }),
    );
  };
  const close = async () => {
    for (const { backend } of subtasks) await backend.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, storage, subtasks, coordinator, checkpoint, restore, close };
}

const uploaded = (acks: readonly SubtaskCheckpointAck[]) => acks.reduce((n, a) => n + a.handle.checkpointedSize!, 0);
const held = (acks: readonly SubtaskCheckpointAck[]) => acks.reduce((n, a) => n + a.handle.stateSize, 0);
/** By checkpoint id of the file: [full key groups, delta key groups] the subtask reads from it. */
const refs = (ack: SubtaskCheckpointAck) => ack.handle.shared!.map((r) => [r.checkpointId, r.operators[0]!.keyGroups, r.operators[0]!.deltaKeyGroups ?? []]);
const groupsOf = (keys: readonly string[]) => [...new Set(keys.map((k) => keyGroupFor(k, MAX)))].sort((a, b) => a - b);
const allGroups = Array.from({ length: MAX }, (_, kg) => kg);

for (const kind of ['heap', 'rocksdb'] as const) {
  test(`${kind}: after 1% of keys change a checkpoint uploads deltas of their key groups only, and a restore equals the live state`, async (t) => {
    const j = await job(kind, 1, { maxChainLength: 10, maxChainRatio: 0.5 });
    t.after(j.close);
    const { backend } = j.subtasks[0]!;
    await write(backend, KEYS, 0);
    const first = await j.checkpoint();
    assert.equal(uploaded(first.acks), first.acks[0]!.handle.checkpointedSize);
    assert.deepEqual(refs(first.acks[0]!), [[1, allGroups, []]]);

    const changed = KEYS.filter((_, i) => i % 100 === 7); // 10 keys of 1000
    await write(backend, changed, 1);
    const second = await j.checkpoint();
    assert.deepEqual(refs(second.acks[0]!), [
      [1, allGroups, []],
      [2, [], groupsOf(changed)],
    ]);
    const fraction = uploaded(second.acks) / held(second.acks);
    assert.ok(fraction < 0.05, `uploaded ${uploaded(second.acks)} of ${held(second.acks)} bytes`);

    const live = await read([backend]);
    assert.deepEqual(live.get('key-7'), ['key-7@1', [['round', 1]]]);
    const restored = await j.restore(second.completed, 1);
    t.after(async () => { for (const r of restored) await r.backend.close(); });
    assert.deepEqual(await read(restored.map((r) => r.backend)), live);
  });
}

test('a chain is written in full again past its length, or when its deltas outgrow the share of its base; unread shared files go', async (t) => {
  const j = await job('heap', 1, { maxChainLength: 2, maxChainRatio: 0.5 });
  t.after(j.close);
  const { backend } = j.subtasks[0]!;
  await write(backend, KEYS, 0);
  await j.checkpoint();
  const one = ['key-7'];
  const kg = keyGroupFor('key-7', MAX);
  const others = allGroups.filter((g) => g !== kg);
  await write(backend, one, 1);
  await j.checkpoint();
  await write(backend, one, 2);
  const third = await j.checkpoint();
  assert.deepEqual(refs(third.acks[0]!), [
    [1, allGroups, []],
    [2, [], [kg]],
    [3, [], [kg]],
  ]);
  // A third delta would make the chain longer than 2: the group is written in full.
  await write(backend, one, 3);
  const fourth = await j.checkpoint();
  assert.deepEqual(refs(fourth.acks[0]!), [
    [1, others, []],
    [4, [kg], []],
  ]);
  // With one checkpoint retained, the deltas of checkpoints 2 and 3 are read by no one and are gone.
  const names = async () => (await j.storage.listFiles(j.storage.sharedDir(JOB))).sort();
  assert.deepEqual(await names(), [...sharedFilesOf(fourth.completed.metadata).keys()].sort());
  assert.equal((await names()).length, 2);
  assert.ok(!(await names()).some((n) => n.startsWith('2-') || n.startsWith('3-')), 'deltas of 2 and 3 deleted');

  // Half of a group's keys change at once: the delta would pass half the base, so the group is written in full.
  const group = KEYS.filter((k) => keyGroupFor(k, MAX) === kg);
  await write(backend, group.filter((_, i) => i % 4 !== 0), 5);
  const fifth = await j.checkpoint();
  assert.deepEqual(refs(fifth.acks[0]!), [
    [1, others, []],
    [5, [kg], []],
  ]);
  // Once every group of the first file has a newer full encoding, the first file goes too.
  await write(backend, KEYS, 6);
  const sixth = await j.checkpoint();
  assert.deepEqual(refs(sixth.acks[0]!), [[6, allGroups, []]]);
  assert.deepEqual(await names(), [...sharedFilesOf(sixth.completed.metadata).keys()]);
  const restored = await j.restore(sixth.completed, 1);
  assert.deepEqual(await read(restored.map((r) => r.backend)), await read([backend]));
});

test('rocksdb: a restore from delta chains at parallelism 3 of a job at 2 equals the live state, and its next checkpoint continues the chains', async (t) => {
  const j = await job('rocksdb', 2, { maxChainLength: 10, maxChainRatio: 0.5 });
  t.after(j.close);
  const backends = j.subtasks.map((s) => s.backend);
  for (const b of backends) await write(b, KEYS, 0);
  await j.checkpoint();
  const changed = KEYS.filter((_, i) => i % 100 === 3);
  for (const b of backends) await write(b, changed, 1);
  const second = await j.checkpoint();
  // Both subtasks uploaded deltas of the groups their changed keys are in.
  const deltaGroups = second.acks.flatMap((a) => a.handle.shared!.flatMap((r) => r.operators[0]!.deltaKeyGroups ?? [])).sort((a, b) => a - b);
  assert.deepEqual(deltaGroups, groupsOf(changed));

  const live = await read(backends);
  const restored = await j.restore(second.completed, 3);
  t.after(async () => { for (const r of restored) await r.backend.close(); });
  assert.deepEqual(await read(restored.map((r) => r.backend)), live);

  // The rescaled job's first checkpoint: a key changes; its group gets a delta on the chain it was restored with.
  const rescaled = new CheckpointCoordinator(config, j.storage, JOB, graph(3), {
    send: (m) => { if (m.kind === 'checkpointComplete') for (const r of restored) r.uploader.completed(m.checkpointId); },
    checkpointable: () => true,
    failJob: (e) => assert.fail(e.message),
    warn: (w) => assert.fail(w),
  }, () => assert.fail('no other storage'));
  rescaled.recover([second.completed], 3);
  for (const r of restored) await write(r.backend, [changed[0]!], 2);
  const third = await j.checkpoint(rescaled, restored);
  const kg = keyGroupFor(changed[0]!, MAX);
  const chainOf = third.completed.metadata.subtasks.flatMap((s) => s.shared ?? []).filter((r) => r.operators[0]!.keyGroups.includes(kg) || r.operators[0]!.deltaKeyGroups?.includes(kg));
  assert.deepEqual(chainOf.map((r) => [r.checkpointId, r.operators[0]!.keyGroups.includes(kg) ? 'full' : 'delta']), [[1, 'full'], [2, 'delta'], [3, 'delta']]);
  assert.ok(uploaded(third.acks) < 0.05 * held(third.acks));
  const again = await j.restore(third.completed, 2);
  t.after(async () => { for (const r of again) await r.backend.close(); });
  assert.deepEqual(await read(again.map((r) => r.backend)), await read(restored.map((r) => r.backend)));
});

test("the changes of a declined checkpoint and of a savepoint are in the next checkpoint's deltas", async (t) => {
  const j = await job('heap', 1, { maxChainLength: 10, maxChainRatio: 0.5 });
  t.after(j.close);
  const { backend, uploader } = j.subtasks[0]!;
  await write(backend, KEYS, 0);
  await j.checkpoint();
  const take = async (savepointDir?: string) => {
    const done = j.coordinator.trigger(savepointDir === undefined ? {} : { savepointDir });
    const id = j.coordinator.stats.entries()[0]!.id;
    const ack = await writeSubtaskSnapshot(
      j.storage,
      j.storage.checkpointDir(JOB, id),
      { vertexId: 'v', subtask: 0, parallelism: 1, checkpointId: id, savepoint: savepointDir !== undefined, operators: new Map([[OP, { keyed: backend.captureSnapshot() }]]), syncDurationMs: 0, alignmentDurationMs: 0 },
      () => undefined,
      { uploader, jobId: JOB },
    );
    return { id, done, ack };
  };
  await write(backend, ['key-1'], 1);
  const declined = await take();
  j.coordinator.decline('v', 0, declined.id, 'a test declines it');
  await assert.rejects(declined.done);
  await write(backend, ['key-2'], 2);
  const savepoint = await take(join(j.dir, 'savepoints'));
  j.coordinator.acknowledge(savepoint.ack);
  await savepoint.done;
  await write(backend, ['key-3'], 3);
  const next = await j.checkpoint();
  assert.deepEqual(refs(next.acks[0]!), [
    [1, allGroups, []],
    [next.completed.id, [], groupsOf(['key-1', 'key-2', 'key-3'])],
  ]);
  const restored = await j.restore(next.completed, 1);
  const state = await read(restored.map((r) => r.backend));
  assert.deepEqual([state.get('key-1'), state.get('key-2'), state.get('key-3')], [['key-1@1', [['round', 1]]], ['key-2@2', [['round', 2]]], ['key-3@3', [['round', 3]]]]);
  assert.deepEqual(state, await read([backend]));
});

test('with local recovery the delta files are copied too: a restore reads a chain from the copies though the storage lost them', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'weir-delta-local-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const local = new LocalStateCopies(root, 'tm-1');
  const j = await job('rocksdb', 1, { maxChainLength: 10, maxChainRatio: 0.5 }, local);
  t.after(j.close);
  const { backend } = j.subtasks[0]!;
  await write(backend, KEYS, 0);
  await j.checkpoint();
  await write(backend, ['key-1', 'key-500'], 1);
  await j.checkpoint();
  await write(backend, ['key-2'], 2);
  const third = await j.checkpoint();
  assert.deepEqual(refs(third.acks[0]!), [
    [1, allGroups, []],
    [2, [], groupsOf(['key-1', 'key-500'])],
    [3, [], groupsOf(['key-2'])],
  ]);
  for (const name of await j.storage.listFiles(j.storage.sharedDir(JOB))) await j.storage.deleteSharedFile(JOB, name);
  const restored = await j.restore(third.completed, 1);
  t.after(async () => {
    for (const r of restored) await r.backend.close();
  });
  assert.deepEqual(local.reads, { local: 3, remote: 0 });
  assert.deepEqual(await read(restored.map((r) => r.backend)), await read([backend]));
});
