/**
 * Both backends with change tracking: the changes a snapshot carries are exactly the entries
 * and timer groups changed since the previous snapshot, and applied to the previous
 * snapshot's key groups they give the new snapshot's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../api/state.ts';
import { StateTtlConfig } from '../../../api/state-ttl.ts';
import { VirtualClock } from '../../task/clock.ts';
import { HeapKeyedStateBackend } from '../heap/heap-keyed-state-backend.ts';
import { KeyGroupRange, keyGroupFor } from '../key-group.ts';
import type { KeyedStateBackend, InternalListState } from '../keyed-state-backend.ts';
import { RocksDbKeyedStateBackend } from '../rocksdb/rocksdb-keyed-state-backend.ts';
import { rocksDbOptions } from '../rocksdb/rocksdb-options.ts';
import { applyKeyGroupChanges, decodeKeyGroupChanges } from './key-group-changes.ts';
import type { KeyGroupChanges } from './key-group-changes.ts';
import { decodeKeyGroupState } from './keyed-state-snapshot.ts';
import type { KeyGroupState, KeyedStateSnapshot } from './keyed-state-snapshot.ts';

const MAX = 16;
const KEYS = Array.from({ length: 40 }, (_, i) => `k${i}`);

type Make = (clock: VirtualClock) => Promise<{ backend: KeyedStateBackend; close: () => Promise<void> }>;

const backends: [string, Make][] = [
  ['heap', async (clock) => {
    const backend = new HeapKeyedStateBackend({ clock, maxParallelism: MAX, keyGroupRange: new KeyGroupRange(0, MAX - 1), trackChanges: true });
    return { backend, close: () => backend.close() };
  }],
  ['rocksdb', async (clock) => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-changes-test-'));
    // A cache of 8 keys: most keys are evicted and read back between the writes.
    const rocks = rocksDbOptions(new Map([['state.backend.rocksdb.localdir', dir], ['state.backend.rocksdb.cache.max-keys', '8']]));
    const backend = new RocksDbKeyedStateBackend({ clock, maxParallelism: MAX, keyGroupRange: new KeyGroupRange(0, MAX - 1), rocks, label: 'changes', trackChanges: true });
    return { backend, close: async () => { await backend.close(); await rm(dir, { recursive: true, force: true }); } };
  }],
];

function states(b: KeyedStateBackend) {
  return {
    value: b.getValueState(new ValueStateDescriptor<number>('v')),
    list: b.getListState(new ListStateDescriptor<string>('l')) as InternalListState<string>,
    map: b.getMapState(new MapStateDescriptor<string, number>('m')),
    ttl: b.getValueState(new ValueStateDescriptor<string>('t').enableTimeToLive(StateTtlConfig.newBuilder(1000).disableCleanupInBackground().build())),
  };
}

/** Runs `fn` for each key with the key current, prefetching as the task does. */
async function forKeys(b: KeyedStateBackend, keys: readonly string[], fn: (k: string, i: number) => void): Promise<void> {
  await b.prefetch(keys);
  for (const [i, k] of keys.entries()) {
    b.setCurrentKey(k);
    fn(k, i);
  }
}

/** A key group's state in an order-free form: entries and timers sorted. */
function normal(s: KeyGroupState | undefined): unknown {
  if (!s) return undefined;
  const val = (v: unknown): unknown => (v instanceof Map ? [...v].sort() : v);
  return {
    states: s.states.map((e) => ({ ...e, entries: e.entries.map(([k, ns, v]) => [k, ns, val(v)]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) })).sort((a, b) => a.name.localeCompare(b.name)),
    timers: s.timers.map((t) => ({ ...t, timers: [...t.timers].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) })).sort((a, b) => a.service.localeCompare(b.service)),
  };
}

function changesOf(s: KeyedStateSnapshot): Map<number, KeyGroupChanges> {
  return new Map([...s.changes!.keyGroups].map(([kg, bytes]) => [kg, decodeKeyGroupChanges(bytes, kg)]));
}

/** Every (state, key, namespace) a snapshot's changes name, as put or delete (a map entry's with its map key); timer queues by group. */
function named(changes: Map<number, KeyGroupChanges>): { puts: string[]; deletes: string[]; timerGroups: string[] } {
  const puts: string[] = [];
  const deletes: string[] = [];
  const timerGroups: string[] = [];
  for (const [kg, c] of changes) {
    for (const s of c.states) {
      for (const [k, ns] of s.puts) puts.push(`${s.name}:${String(k)}:${ns}`);
      for (const [k, ns] of s.deletes) deletes.push(`${s.name}:${String(k)}:${ns}`);
      for (const [k, ns, mk, v] of s.mapPuts ?? []) puts.push(`${s.name}:${String(k)}:${ns}:${String(mk)}=${String(v)}`);
      for (const [k, ns, mk] of s.mapDeletes ?? []) deletes.push(`${s.name}:${String(k)}:${ns}:${String(mk)}`);
    }
    for (const t of c.timers) timerGroups.push(`${t.service}/${t.domain}:${kg}`);
  }
  return { puts: puts.sort(), deletes: deletes.sort(), timerGroups: timerGroups.sort() };
}

for (const [kind, make] of backends) {
  test(`${kind}: a snapshot's changes are exactly what changed since the last one, and applied to it give the new one`, async (t) => {
    const clock = new VirtualClock(0);
    const { backend: b, close } = await make(clock);
    t.after(close);
    const s = states(b);
    const timers = b.timerQueue('svc', 'event');
    await forKeys(b, KEYS, (k, i) => {
      s.value.update(i);
      s.list.setCurrentNamespace('w1');
      s.list.add(`${k}-a`);
      s.list.setCurrentNamespace('');
      s.map.put('x', i);
      s.map.put('y', -i);
      s.ttl.update(`t${i}`);
      if (i < 10) timers.add(b.currentKeyRef(), 'w1', 100 + i);
    });
    const first = await b.captureSnapshot().complete();
    assert.equal(first.changes!.seq, 1);

    // Nothing changes: the next snapshot has no changes at all.
    const idle = await b.captureSnapshot().complete();
    assert.equal(idle.changes!.seq, 2);
    assert.equal(idle.changes!.backend, first.changes!.backend);
    assert.equal(idle.changes!.keyGroups.size, 0);

    clock.advanceTo(50);
    await forKeys(b, ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k40'], (k) => {
      if (k === 'k1') s.value.update(1001); // overwrite
      if (k === 'k2') s.value.clear(); // delete
      if (k === 'k3') {
        s.list.setCurrentNamespace('w1');
        s.list.add('k3-b'); // a list grows in place
        s.list.setCurrentNamespace('');
      }
      if (k === 'k4') s.map.put('z', 4); // one map entry
      if (k === 'k5') s.map.remove('x');
      if (k === 'k6') s.map.clear();
      if (k === 'k7') s.ttl.update('t7-new'); // a TTL'd value gets a new stamp
      if (k === 'k8') timers.delete(b.currentKeyRef(), 'w1', 108);
      if (k === 'k9') s.value.update(9); // the number it held, written again: no change
      if (k === 'k40') s.value.update(40); // a new key
    });
    // Removing a namespace for every key removes each key's list there.
    s.list.clearNamespace('w1');
    // A timer that fires is removed: k0's, at 100.
    await timers.load?.(100);
    assert.equal(timers.popDue(100)?.key.key, 'k0');
    const second = await b.captureSnapshot().complete();
    const changes = changesOf(second);
    const timerGroups = [...new Set([keyGroupFor('k8', MAX), keyGroupFor('k0', MAX)])].map((kg) => `svc/event:${kg}`).sort();
    assert.deepEqual(named(changes), {
      // Single map entries go as such; a map cleared goes whole.
      puts: ['m:k4::z=4', 't:k7:', 'v:k1:', 'v:k40:'],
      deletes: ['m:k5::x', 'm:k6:', 'v:k2:', ...KEYS.map((k) => `l:${k}:w1`)].sort(),
      timerGroups,
    });
    const k7 = changes.get(keyGroupFor('k7', MAX))!.states.find((x) => x.name === 't')!.puts[0]!;
    assert.deepEqual(k7[2], { v: 't7-new', t: 50 });

    for (let kg = 0; kg < MAX; kg++) {
      const before = first.keyGroups.get(kg);
      const applied = applyKeyGroupChanges(before && decodeKeyGroupState(before, kg), changes.has(kg) ? [changes.get(kg)!] : []);
      const after = second.keyGroups.get(kg);
      assert.deepEqual(normal(applied), normal(after && decodeKeyGroupState(after, kg)), `key group ${kg}`);
    }
  });

  test(`${kind}: restored state is no change; what changes after the restore is`, async (t) => {
    const clock = new VirtualClock(0);
    const { backend: source, close } = await make(clock);
    t.after(close);
    const s = states(source);
    const timers = source.timerQueue('svc', 'event');
    await forKeys(source, KEYS, (k, i) => {
      s.value.update(i);
      s.map.put('x', i);
      timers.add(source.currentKeyRef(), '', 100 + i);
    });
    const taken = await source.captureSnapshot().complete();
    const { backend: restored, close: closeRestored } = await make(clock);
    t.after(closeRestored);
    restored.restore([taken]);
    const r = states(restored);
    restored.timerQueue('svc', 'event');
    const untouched = await restored.captureSnapshot().complete();
    assert.equal(untouched.changes!.seq, 1);
    assert.equal(untouched.changes!.keyGroups.size, 0);
    await forKeys(restored, ['k3'], () => r.value.update(33));
    const changed = await restored.captureSnapshot().complete();
    assert.deepEqual(named(changesOf(changed)), { puts: ['v:k3:'], deletes: [], timerGroups: [] });
  });
}
