import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from '../../../api/state.ts';
import { StateTtlConfig } from '../../../api/state-ttl.ts';
import { VirtualClock } from '../../task/clock.ts';
import { KeyGroupRange, keyGroupFor } from '../key-group.ts';
import type { KeyValue } from '../key-group.ts';
import type { KeyedStateSnapshot } from '../snapshot/keyed-state-snapshot.ts';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';

const MAX = 128;
const clock = new VirtualClock(1000);

function backend(parallelism = 1, subtask = 0): HeapKeyedStateBackend {
  return new HeapKeyedStateBackend({ clock, maxParallelism: MAX, keyGroupRange: KeyGroupRange.forSubtask(MAX, parallelism, subtask) });
}

const sum = { createAccumulator: () => ({ n: 0 }), add: (v: number, a: { n: number }) => ({ n: a.n + v }), getResult: (a: { n: number }) => a.n, merge: (a: { n: number }, b: { n: number }) => ({ n: a.n + b.n }) };
const KEYS: KeyValue[] = ['alice', 'bob', 7, 12n, ['eu', 3], true];

/** Writes one entry of every state kind and two timers per key. */
function fill(b: HeapKeyedStateBackend): void {
  const value = b.getValueState(new ValueStateDescriptor<string>('value'));
  const list = b.getListState(new ListStateDescriptor<number>('list'));
  const map = b.getMapState(new MapStateDescriptor<string, number>('map'));
  const reducing = b.getReducingState(new ReducingStateDescriptor<number>('reducing', (x, y) => x + y));
  const aggregating = b.getAggregatingState(new AggregatingStateDescriptor('aggregating', sum));
  const ttl = b.getValueState(new ValueStateDescriptor<number>('ttl').enableTimeToLive(StateTtlConfig.newBuilder(10_000).build()));
  const eventTimers = b.timerQueue('user-timers', 'event');
  KEYS.forEach((k, i) => {
    b.setCurrentKey(k);
    value.update(`v-${String(k)}`);
    list.addAll([i, i + 1]);
    map.put('x', i);
    reducing.add(i);
    reducing.add(10);
    aggregating.setCurrentNamespace('100:200');
    aggregating.add(i);
    ttl.update(i);
    eventTimers.add(b.currentKeyRef(), '', 5000 + i);
    eventTimers.add(b.currentKeyRef(), '100:200', 199);
  });
}

/** What a backend holds for a key, read through the state API. */
function read(b: HeapKeyedStateBackend, k: KeyValue) {
  b.setCurrentKey(k);
  const aggregating = b.getAggregatingState(new AggregatingStateDescriptor('aggregating', sum));
  aggregating.setCurrentNamespace('100:200');
  return {
    value: b.getValueState(new ValueStateDescriptor<string>('value')).value(),
    list: b.getListState(new ListStateDescriptor<number>('list')).get(),
    map: b.getMapState(new MapStateDescriptor<string, number>('map')).entries(),
    reducing: b.getReducingState(new ReducingStateDescriptor<number>('reducing', (x, y) => x + y)).get(),
    aggregating: aggregating.get(),
    ttl: b.getValueState(new ValueStateDescriptor<number>('ttl').enableTimeToLive(StateTtlConfig.newBuilder(10_000).build())).value(),
  };
}

function drainTimers(b: HeapKeyedStateBackend): string[] {
  const q = b.timerQueue('user-timers', 'event');
  const out: string[] = [];
  for (let t = q.popDue(Infinity); t; t = q.popDue(Infinity)) out.push(`${JSON.stringify(t.key.key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}/${t.namespace}@${t.time}`);
  return out.sort();
}

test('a snapshot restores into backends of another parallelism: each takes exactly the keys of its key groups', () => {
  const one = backend();
  fill(one);
  const snap = one.snapshot();
  // Only key groups that hold something are written.
  assert.deepEqual([...snap.keyGroups.keys()], [...new Set(KEYS.map((k) => keyGroupFor(k, MAX)))].sort((a, b) => a - b));
  const expected = new Map(KEYS.map((k) => [k, read(one, k)]));
  const expectedTimers = drainTimers(one);
  assert.equal(expectedTimers.length, 12);

  const halves = [backend(2, 0), backend(2, 1)];
  for (const h of halves) h.restore([snap]);
  const timers: string[] = [];
  for (const [i, h] of halves.entries()) {
    const mine = KEYS.filter((k) => h.keyGroupRange.contains(keyGroupFor(k, MAX)));
    for (const k of mine) assert.deepEqual(read(h, k), expected.get(k), `subtask ${i}, key ${String(k)}`);
    assert.equal(h.entryCount(), mine.length * 6);
    timers.push(...drainTimers(h));
  }
  assert.deepEqual(timers.sort(), expectedTimers);
  // alice is in key group 93, which subtask 1 of 2 holds (64-127).
  assert.deepEqual(read(halves[1]!, 'alice'), { value: 'v-alice', list: [0, 1], map: [['x', 0]], reducing: 10, aggregating: 0, ttl: 0 });

  // And back to one subtask: restoring both halves gives the original state.
  const snaps: KeyedStateSnapshot[] = [];
  const again = [backend(2, 0), backend(2, 1)];
  for (const h of again) {
    h.restore([snap]);
    snaps.push(h.snapshot()); // nothing registered: the restored state is kept as it came
  }
  const merged = backend();
  merged.restore(snaps);
  for (const k of KEYS) assert.deepEqual(read(merged, k), expected.get(k));
  assert.deepEqual(drainTimers(merged), expectedTimers);
});

test('restoring a state as another kind, with TTL switched, or at another maxParallelism fails with a clear error', () => {
  const one = backend();
  fill(one);
  const snap = one.snapshot();
  const asList = backend();
  asList.restore([snap]);
  assert.throws(() => asList.getListState(new ListStateDescriptor<string>('value')), { code: 'STATE_KIND_MISMATCH', message: /restored as value state and is now requested as list state/ });
  const withTtl = backend();
  withTtl.restore([snap]);
  assert.throws(() => withTtl.getValueState(new ValueStateDescriptor<string>('value').enableTimeToLive(StateTtlConfig.newBuilder(10).build())), { code: 'STATE_RESTORE_MISMATCH', message: /written without time-to-live/ });
  const other = new HeapKeyedStateBackend({ clock, maxParallelism: 256, keyGroupRange: new KeyGroupRange(0, 255) });
  assert.throws(() => other.restore([snap]), { code: 'STATE_RESTORE_MISMATCH', message: /maxParallelism 128 but the operator now has 256/ });
});

test('a corrupt key group is refused with the key group named, not half restored', () => {
  const one = backend();
  fill(one);
  const snap = one.snapshot();
  const [kg, bytes] = [...snap.keyGroups][0]!;
  const truncated = new Map(snap.keyGroups).set(kg, bytes.slice(0, bytes.length - 3));
  assert.throws(() => backend().restore([{ maxParallelism: MAX, keyGroups: truncated }]), { code: 'CORRUPT_STATE_SNAPSHOT', message: new RegExp(`key group ${kg} cannot be read`) });
  const wrongVersion = new Map(snap.keyGroups).set(kg, Uint8Array.of(99, ...bytes.slice(1)));
  assert.throws(() => backend().restore([{ maxParallelism: MAX, keyGroups: wrongVersion }]), { code: 'CORRUPT_STATE_SNAPSHOT', message: /unknown format version 99/ });
});

test('a snapshot of a key-group range holds only those key groups', () => {
  const one = backend();
  fill(one);
  const range = new KeyGroupRange(0, 63);
  const part = one.snapshot(range);
  assert.deepEqual([...part.keyGroups.keys()], [...new Set(KEYS.map((k) => keyGroupFor(k, MAX)).filter((g) => g <= 63))].sort((a, b) => a - b));
});

test('state of a key outside the backend key groups (a key selector that is not deterministic) is caught, naming the key', () => {
  const low = backend(2, 0); // key groups 0-63
  const v = low.getValueState(new ValueStateDescriptor<number>('v'));
  low.setCurrentKey('alice'); // key group 93
  v.update(1);
  assert.throws(() => low.snapshot(), { code: 'INVALID_KEY', message: /key alice belongs to key group 93, but this subtask holds key groups 0-63/ });
  assert.throws(() => low.timerQueue('user-timers', 'event').add(low.currentKeyView(), '', 5), { code: 'INVALID_KEY' });
});

test('a captured snapshot is what the state held at the capture, though it is encoded after later writes', async () => {
  const b = backend();
  fill(b);
  const expected = KEYS.map((k) => read(b, k));
  // An accumulator its function changes in place, as aggregate functions may.
  const inPlace = b.getAggregatingState(new AggregatingStateDescriptor('in-place', { createAccumulator: () => ({ n: 0 }), add: (v: number, a: { n: number }) => ((a.n += v), a), getResult: (a: { n: number }) => a.n, merge: (a: { n: number }) => a }));
  b.setCurrentKey('alice');
  inPlace.add(5);
  const capture = b.captureSnapshot();
  assert.equal(capture.empty, false);
  // Writes after the barrier: none of them may reach the checkpoint.
  for (const k of KEYS) {
    b.setCurrentKey(k);
    b.getValueState(new ValueStateDescriptor<string>('value')).update('later');
    b.getListState(new ListStateDescriptor<number>('list')).add(99);
    b.getMapState(new MapStateDescriptor<string, number>('map')).put('later', 1);
  }
  b.setCurrentKey('alice');
  inPlace.add(100);
  b.timerQueue('user-timers', 'event').add(b.currentKeyRef(), '', 9999);
  const restored = backend();
  restored.restore([await capture.complete()]);
  assert.deepEqual(KEYS.map((k) => read(restored, k)), expected);
  restored.setCurrentKey('alice');
  assert.equal(restored.getAggregatingState(new AggregatingStateDescriptor('in-place', sum)).get(), 5);
  assert.equal(drainTimers(restored).includes('"alice"/@9999'), false);
  assert.equal(backend().captureSnapshot().empty, true);
});

test('a large snapshot is read in steps while every kind of state keeps changing, and holds exactly the state at the capture', async () => {
  const b = backend();
  const KEYS_N = 30_000;
  const value = b.getValueState(new ValueStateDescriptor<number>('value'));
  const list = b.getListState(new ListStateDescriptor<number>('list'));
  const map = b.getMapState(new MapStateDescriptor<string, number>('map'));
  const inPlaceSum = { createAccumulator: () => ({ n: 0 }), add: (v: number, a: { n: number }) => ((a.n += v), a), getResult: (a: { n: number }) => a.n, merge: (a: { n: number }) => a };
  const windowed = b.getAggregatingState(new AggregatingStateDescriptor('windowed', inPlaceSum));
  for (let k = 0; k < KEYS_N; k++) {
    b.setCurrentKey(k);
    value.update(k);
    list.add(k);
    map.put('a', k);
    map.put('b', -k);
    windowed.setCurrentNamespace(`w${k % 3}`);
    windowed.add(k);
  }
  const expected = (k: number) => ({ value: k, list: [k], map: [['a', k], ['b', -k]], windowed: k });
  const capture = b.captureSnapshot();
  let done = false;
  const completed = capture.complete().finally(() => (done = true));
  // Between the steps of the snapshot, change state all over the table, as a running task does.
  let round = 0;
  while (!done) {
    for (let i = 0; i < 2_000; i++) {
      const k = (round * 7_919 + i * 104_729) % KEYS_N;
      b.setCurrentKey(k);
      value.update(-1);
      list.add(-1);
      if (i % 2 === 0) map.remove('a');
      else map.put('c', 1);
      windowed.setCurrentNamespace(`w${k % 3}`);
      windowed.add(1_000_000);
      if (i % 5 === 0) value.clear();
    }
    b.setCurrentKey(KEYS_N + round);
    value.update(1); // a key that did not exist at the capture
    if (round === 2) windowed.clearNamespace('w1');
    round++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  assert.ok(round > 2, `the snapshot was read in ${round} rounds of changes; the test needs several`);
  const restored = backend();
  restored.restore([await completed]);
  const got = restored.getValueState(new ValueStateDescriptor<number>('value'));
  const gotList = restored.getListState(new ListStateDescriptor<number>('list'));
  const gotMap = restored.getMapState(new MapStateDescriptor<string, number>('map'));
  const gotWindowed = restored.getAggregatingState(new AggregatingStateDescriptor('windowed', inPlaceSum));
  for (let k = 0; k < KEYS_N; k++) {
    restored.setCurrentKey(k);
    gotWindowed.setCurrentNamespace(`w${k % 3}`);
    assert.deepEqual({ value: got.value(), list: gotList.get(), map: gotMap.entries(), windowed: gotWindowed.get() }, expected(k), `key ${k}`);
  }
  assert.equal(restored.entryCount(), KEYS_N * 4);
});

test('after the capture, a read that refreshes TTL stamps, or a change in place of a value read from state, does not reach the snapshot', async () => {
  const ttlClock = new VirtualClock(1000);
  const b = new HeapKeyedStateBackend({ clock: ttlClock, maxParallelism: MAX, keyGroupRange: KeyGroupRange.forSubtask(MAX, 1, 0) });
  const ttl = StateTtlConfig.newBuilder(10_000).setUpdateType('OnReadAndWrite').build();
  const cell = b.getReducingState(new ReducingStateDescriptor<number>('cell', (x, y) => x + y).enableTimeToLive(ttl));
  const list = b.getListState(new ListStateDescriptor<number>('list').enableTimeToLive(ttl));
  const map = b.getMapState(new MapStateDescriptor<string, number>('map').enableTimeToLive(ttl));
  const obj = b.getValueState(new ValueStateDescriptor<{ n: number }>('obj'));
  b.setCurrentKey('k');
  cell.add(5);
  list.add(5);
  map.put('x', 5);
  obj.update({ n: 1 });
  const capture = b.captureSnapshot();
  ttlClock.advanceTo(9000);
  assert.deepEqual([cell.get(), list.get(), map.get('x')], [5, [5], 5]); // restamped at 9000 in the live state
  obj.value()!.n = 99; // changed in place, never updated
  const snapshot = await capture.complete();
  const restoredClock = new VirtualClock(12_000); // past the stamps at the capture (1000 + 10s), not past 9000 + 10s
  const r = new HeapKeyedStateBackend({ clock: restoredClock, maxParallelism: MAX, keyGroupRange: KeyGroupRange.forSubtask(MAX, 1, 0) });
  r.restore([snapshot]);
  r.setCurrentKey('k');
  assert.equal(r.getReducingState(new ReducingStateDescriptor<number>('cell', (x, y) => x + y).enableTimeToLive(ttl)).get(), undefined);
  assert.deepEqual(r.getListState(new ListStateDescriptor<number>('list').enableTimeToLive(ttl)).get(), []);
  assert.equal(r.getMapState(new MapStateDescriptor<string, number>('map').enableTimeToLive(ttl)).get('x'), undefined);
  assert.deepEqual(r.getValueState(new ValueStateDescriptor<{ n: number }>('obj')).value(), { n: 1 });
  ttlClock.advanceTo(12_000);
  assert.deepEqual([cell.get(), list.get(), map.get('x')], [5, [5], 5]); // the live state kept its new stamps
});

test('a capture that will not be completed is discarded: the state stops keeping changes for it', () => {
  const b = backend();
  const list = b.getListState(new ListStateDescriptor<number>('list'));
  for (let k = 0; k < 1000; k++) {
    b.setCurrentKey(k);
    list.add(k);
  }
  const capture = b.captureSnapshot();
  const table = (list as unknown as { table: { snapshotting: boolean } }).table;
  assert.equal(table.snapshotting, true);
  capture.discard();
  assert.equal(table.snapshotting, false);
});
