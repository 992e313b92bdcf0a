import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../api/state.ts';
import { WeirError } from '../../../errors/index.ts';
import { VirtualClock } from '../../task/clock.ts';
import { HeapKeyedStateBackend } from '../heap/heap-keyed-state-backend.ts';
import { KeyGroupRange, keyGroupFor } from '../key-group.ts';
import { keyIdentity } from '../key-identity.ts';
import type { KeyedStateBackend } from '../keyed-state-backend.ts';
import { RocksDbKeyedStateBackend } from './rocksdb-keyed-state-backend.ts';
import { rocksDbOptions } from './rocksdb-options.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const MAX = 128;

async function rocks(dir: string, range = new KeyGroupRange(0, MAX - 1), cacheKeys = 4): Promise<RocksDbKeyedStateBackend> {
  const options = rocksDbOptions(new Map([['state.backend.rocksdb.localdir', dir], ['state.backend.rocksdb.cache.max-keys', String(cacheKeys)]]));
  return new RocksDbKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: range, rocks: options, label: 'test' });
}

/** Writes value, list (in a window namespace) and map state for keys k0..k(n-1), prefetching as the task does. */
async function fill(b: KeyedStateBackend, n: number, batch: number): Promise<void> {
  const value = b.getValueState(new ValueStateDescriptor<number>('v'));
  const list = b.getListState(new ListStateDescriptor<string>('l'));
  const map = b.getMapState(new MapStateDescriptor<string, number>('m'));
  for (let from = 0; from < n; from += batch) {
    const keys = Array.from({ length: Math.min(batch, n - from) }, (_, i) => `k${from + i}`);
    await b.prefetch(keys);
    for (const [i, k] of keys.entries()) {
      b.setCurrentKey(k);
      value.update(from + i);
      list.setCurrentNamespace('w1');
      list.add(`${k}-a`);
      list.add(`${k}-b`);
      map.put('x', from + i);
      map.put('y', -(from + i));
    }
  }
}

const keysUpTo = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

async function readAll(b: KeyedStateBackend, keys: readonly string[]): Promise<unknown[]> {
  const value = b.getValueState(new ValueStateDescriptor<number>('v'));
  const list = b.getListState(new ListStateDescriptor<string>('l'));
  const map = b.getMapState(new MapStateDescriptor<string, number>('m'));
  const out: unknown[] = [];
  for (const k of keys) {
    await b.prefetch([k]);
    b.setCurrentKey(k);
    list.setCurrentNamespace('w1');
    out.push([value.value(), list.get(), map.entries().sort()]);
  }
  return out;
}

test('state survives eviction from a four-key cache: values, namespaced lists and map entries read back from RocksDB', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b = await rocks(dir);
  await fill(b, 50, 3);
  assert.equal(b.entryCount(), 150); // 50 keys x (value, list in w1, map)
  const got = await readAll(b, keysUpTo(50));
  assert.deepEqual(got[7], [7, ['k7-a', 'k7-b'], [['x', 7], ['y', -7]]]);
  assert.deepEqual(got[49], [49, ['k49-a', 'k49-b'], [['x', 49], ['y', -49]]]);
  assert.deepEqual(b.getListState(new ListStateDescriptor<string>('l')).namespaces(), ['w1']);
  // Removing one map entry of an evicted key: only it goes.
  const map = b.getMapState(new MapStateDescriptor<string, number>('m'));
  await b.prefetch(['k3']);
  b.setCurrentKey('k3');
  map.remove('x');
  await fill(b, 0, 1);
  await b.prefetch(['k10', 'k11', 'k12', 'k13', 'k14']); // evicts k3
  await b.prefetch(['k3']);
  b.setCurrentKey('k3');
  assert.deepEqual(map.entries(), [['y', -3]]);
  await b.close();
  assert.deepEqual(await readdir(dir), []); // the attempt's directory is removed
});

test('state of a key that was not prefetched is refused, never read as empty', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b = await rocks(dir);
  const value = b.getValueState(new ValueStateDescriptor<number>('v'));
  b.setCurrentKey('never-fetched');
  assert.throws(() => value.value(), (err: unknown) => err instanceof WeirError && err.code === 'STATE_NOT_PREFETCHED' && /never-fetched/.test(err.message));
  await b.close();
});

test('snapshots are canonical: RocksDB at parallelism 1 restores into the heap split in two, and the halves back into RocksDB', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const source = await rocks(dir);
  await fill(source, 40, 7);
  const snap = await source.captureSnapshot().complete();
  await source.close();
  const halves = [new KeyGroupRange(0, 63), new KeyGroupRange(64, 127)];
  const heaps = halves.map((range) => new HeapKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: range }));
  for (const h of heaps) h.restore([snap]);
  const expected = keysUpTo(40).map((k, i) => [i, [`${k}-a`, `${k}-b`], [['x', i], ['y', -i]]]);
  const fromHeap: unknown[] = [];
  for (const k of keysUpTo(40)) fromHeap.push(...(await readAll(heaps.find((h) => h.keyGroupRange.contains(keyGroupFor(k, MAX)))!, [k])));
  assert.deepEqual(fromHeap, expected);
  // The heap halves' snapshots into one RocksDB backend again.
  const back = await rocks(dir, new KeyGroupRange(0, MAX - 1), 3);
  back.restore(heaps.map((h) => h.snapshot()));
  assert.deepEqual(await readAll(back, keysUpTo(40)), expected);
  assert.equal(back.entryCount(), 120);
  await back.close();
});

test('a local directory that cannot be created fails with STATE_BACKEND_UNAVAILABLE naming the path and the cause', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'a-file');
  await writeFile(file, 'not a directory');
  const b = await rocks(join(file, 'rocksdb'));
  // The directory is made when the operator registers its first state (in open(), so the task fails).
  assert.throws(
    () => b.getValueState(new ValueStateDescriptor<number>('v')),
    (err: unknown) => err instanceof WeirError && err.code === 'STATE_BACKEND_UNAVAILABLE' && err.retriable && err.message.includes(join(file, 'rocksdb')) && /ENOTDIR/.test(err.message),
  );
  await b.close();
});

test('enabled RocksDB metrics are gauges with Flink names, read from RocksDB properties', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const options = rocksDbOptions(
    new Map([
      ['state.backend.rocksdb.localdir', dir],
      ['state.backend.rocksdb.metrics.estimate-num-keys', 'true'],
      ['state.backend.rocksdb.metrics.compaction-pending', 'true'],
    ]),
  );
  const b = new RocksDbKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: new KeyGroupRange(0, MAX - 1), rocks: options, label: 'metrics' });
  await fill(b, 10, 10);
  await b.flushWrites(); // the 10 keys' rows, written behind the cache
  const gauges = b.gauges();
  assert.deepEqual([...gauges.keys()], ['rocksdb_estimate_num_keys', 'rocksdb_compaction_pending']);
  const numKeys = gauges.get('rocksdb_estimate_num_keys')!;
  // The first scrape queues the read; a later one sees it.
  const seen = await eventually(() => {
    const v = numKeys();
    return Number.isNaN(v) ? undefined : v;
  }, 10_000, 'the estimate-num-keys gauge');
  // RocksDB's estimate counts the memtable's entries: 10 values, 10 lists, 20 map rows, and
  // the 10 range deletions each map's rewrite starts with.
  assert.equal(seen, 50);
  assert.equal(gauges.get('rocksdb_compaction_pending')!(), NaN); // first read queued
  await b.close();
});

test('a snapshot captured but never completed (a failed checkpoint) does not keep the database open', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b = await rocks(dir);
  await fill(b, 5, 5);
  const capture = b.captureSnapshot();
  assert.equal(capture.empty, false);
  await b.close();
  assert.deepEqual(await readdir(dir), []);
});

test('a namespace cleared while some of its keys were evicted stays cleared when they come back, with room in the cache', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // 21 keys one by one into a 20-key cache: the 21st evicts k0..k2 (one plus a tenth of 20), leaving room for two.
  const b = await rocks(dir, undefined, 20);
  const heap = new HeapKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: new KeyGroupRange(0, MAX - 1) });
  for (const backend of [b, heap]) {
    await fill(backend, 21, 1);
    backend.getListState(new ListStateDescriptor<string>('l')).clearNamespace('w1');
  }
  // k0's list rows are in RocksDB only; the clear must reach them before k0 is read back.
  const back = await readAll(b, ['k0', 'k1']);
  assert.deepEqual(back, [
    [0, [], [['x', 0], ['y', -0]]],
    [1, [], [['x', 1], ['y', -1]]],
  ]);
  assert.deepEqual(back, await readAll(heap, ['k0', 'k1']));
  await b.close();
});

test('a task that finishes while its last checkpoint reads state closes the database only after the read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b = await rocks(dir, undefined, 1000);
  await fill(b, 30, 10);
  const read = b.captureSnapshot().complete();
  const closed = b.close();
  const snapshot = await read;
  await closed;
  assert.equal([...snapshot.keyGroups.keys()].length, new Set(keysUpTo(30).map((k) => keyGroupFor(k, MAX))).size);
  assert.deepEqual(await readdir(dir), []);
});

test('keys without changes make room first: changed keys stay cached and unwritten until no clean key is left', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b = await rocks(dir, undefined, 10);
  const value = b.getValueState(new ValueStateDescriptor<number>('v'));
  const rows = async () => (await b.store.scanAll([[Buffer.alloc(0), Buffer.alloc(64, 0xff)]]))[0]!.length;
  const cached = (keys: readonly string[]) => keys.filter((k) => b.loaded.has(keyIdentity(k)));
  const clean = ['c0', 'c1', 'c2', 'c3', 'c4'];
  const changed = ['d0', 'd1', 'd2', 'd3', 'd4'];
  await b.prefetch(clean); // read, never changed
  await b.prefetch(changed);
  for (const [i, k] of changed.entries()) {
    b.setCurrentKey(k);
    value.update(i);
  }
  // The cache is full: a new key evicts two clean keys (one and a tenth of ten) and writes nothing.
  await b.prefetch(['n0']);
  assert.deepEqual(cached(clean), ['c2', 'c3', 'c4']);
  assert.deepEqual(cached(changed), changed);
  assert.equal(await rows(), 0);
  b.setCurrentKey('n0');
  value.update(5);
  // Five more keys need four places: only c2..c4 are clean, so the changes are written and the cache makes room as before.
  await b.prefetch(['n1', 'n2', 'n3', 'n4', 'n5']);
  assert.deepEqual(cached(clean), []);
  assert.equal(await rows(), 6);
  const back: unknown[] = [];
  for (const k of [...changed, 'n0']) {
    await b.prefetch([k]);
    b.setCurrentKey(k);
    back.push(value.value());
  }
  assert.deepEqual(back, [0, 1, 2, 3, 4, 5]);
  await b.close();
});
