import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../api/state.ts';
import { VirtualClock } from '../../task/clock.ts';
import { HeapKeyedStateBackend } from '../heap/heap-keyed-state-backend.ts';
import { KeyGroupRange } from '../key-group.ts';
import type { KeyedStateBackend } from '../keyed-state-backend.ts';
import type { KeyedStateSnapshot } from '../snapshot/keyed-state-snapshot.ts';
import { RocksDbKeyedStateBackend } from './rocksdb-keyed-state-backend.ts';
import { rocksDbOptions } from './rocksdb-options.ts';
import { CHUNK_ENTRIES } from './write-behind-batch.ts';

const MAX = 128;
const RANGE = new KeyGroupRange(0, MAX - 1);
const N = 5000;
const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `k${from + i}`);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function states(b: KeyedStateBackend) {
  return {
    value: b.getValueState(new ValueStateDescriptor<number>('v')),
    list: b.getListState(new ListStateDescriptor<string>('l')),
    map: b.getMapState(new MapStateDescriptor<string, number>('m')),
  };
}

/** Every key's value, lists in w1 and w2, and map entries. */
async function readAll(b: KeyedStateBackend, ks: readonly string[]): Promise<unknown[]> {
  const { value, list, map } = states(b);
  const out: unknown[] = [];
  for (const k of ks) {
    await b.prefetch([k]);
    b.setCurrentKey(k);
    list.setCurrentNamespace('w1');
    const w1 = list.get();
    list.setCurrentNamespace('w2');
    out.push([k, value.value(), w1, list.get(), map.entries().sort()]);
  }
  return out;
}

async function restoredHeap(snapshot: KeyedStateSnapshot): Promise<HeapKeyedStateBackend> {
  const heap = new HeapKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: RANGE });
  heap.restore([snapshot]);
  return heap;
}

test('changes made while a write-behind batch is encoded do not reach it: the checkpoint holds the state at the barrier, the database the state after', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-rocksdb-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const options = rocksDbOptions(new Map([['state.backend.rocksdb.localdir', dir], ['state.backend.rocksdb.cache.max-keys', String(N + 1000)]]));
  const rocks = new RocksDbKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: RANGE, rocks: options, label: 'write-behind' });
  const heap = new HeapKeyedStateBackend({ clock: new VirtualClock(0), maxParallelism: MAX, keyGroupRange: RANGE });
  const both = [rocks, heap];
  const all = keys(0, N);

  // Rows in RocksDB for every key: value, a list in w1, a map of two entries.
  for (const b of both) {
    const { value, list, map } = states(b);
    await b.prefetch(all);
    for (const [i, k] of all.entries()) {
      b.setCurrentKey(k);
      value.update(i);
      list.setCurrentNamespace('w1');
      list.add(`${k}-a`);
      map.put('x', i);
      map.put('y', -i);
    }
  }
  await rocks.flushWrites();
  // Changes the barrier takes: whole values, single map entries, new entries in w2.
  for (const b of both) {
    const { value, list, map } = states(b);
    for (const [i, k] of all.entries()) {
      b.setCurrentKey(k);
      value.update(i + 1);
      map.put('x', 2 * i);
      list.setCurrentNamespace('w2');
      list.add(`${k}-w2`);
    }
  }
  const captures = both.map((b) => b.captureSnapshot());
  // While the batch is encoded chunk by chunk, every kind of change hits entries it holds:
  // updates, map puts and removals, removing a namespace, and keys evicted for new ones.
  assert.ok(3 * N > CHUNK_ENTRIES, 'the barrier batch spans several chunks');
  for (let from = 0; from < N; from += 500) {
    for (const b of both) {
      const { value, list, map } = states(b);
      for (const [j, k] of keys(from, from + 500).entries()) {
        b.setCurrentKey(k);
        value.update(-(from + j));
        map.remove('x');
        map.put('z', from + j);
        list.setCurrentNamespace('w1');
        list.add(`${k}-b`);
      }
      if (from === 2500) list.clearNamespace('w2');
      if (from === 3000) await b.prefetch(keys(N, N + 1500)); // more keys than the cache has room for
    }
    await turn();
  }
  const [fromRocks, fromHeap] = await Promise.all(captures.map((c) => c.complete()));
  assert.deepEqual(await readAll(await restoredHeap(fromRocks!), all), await readAll(await restoredHeap(fromHeap!), all));
  assert.deepEqual((await readAll(await restoredHeap(fromRocks!), ['k7']))[0], ['k7', 8, ['k7-a'], ['k7-w2'], [['x', 14], ['y', -7]]]);
  // The live state, read back through the cache and RocksDB (evicted keys come back from disk).
  assert.deepEqual(await readAll(rocks, all), await readAll(heap, all));
  assert.deepEqual((await readAll(rocks, ['k7']))[0], ['k7', -7, ['k7-a', 'k7-b'], [], [['y', -7], ['z', 7]]]);
  await rocks.close();
});
