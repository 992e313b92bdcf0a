import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../api/state.ts';
import type { AggregateFunction } from '../../../api/functions.ts';
import { StateTtlConfig } from '../../../api/state-ttl.ts';
import type { StateTtlConfig as TtlConfig } from '../../../api/state-ttl.ts';
import { VirtualClock } from '../../task/clock.ts';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import { KeyGroupRange } from '../key-group.ts';

function setup(): { clock: VirtualClock; backend: HeapKeyedStateBackend } {
  const clock = new VirtualClock(0);
  return { clock, backend: new HeapKeyedStateBackend({ clock, maxParallelism: 128, keyGroupRange: new KeyGroupRange(0, 127) }) };
}

/** Average of numbers: accumulator [sum, count]. */
const average: AggregateFunction<number, [number, number], number> = {
  createAccumulator: () => [0, 0],
  add: (v, [s, c]) => [s + v, c + 1],
  getResult: ([s, c]) => s / c,
  merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
};

/** A TTL of 100 ms with no background cleanup, so only reads decide expiry. */
function ttl100(configure: (b: ReturnType<typeof StateTtlConfig.newBuilder>) => unknown = () => {}): TtlConfig {
  const b = StateTtlConfig.newBuilder(100).disableCleanupInBackground();
  configure(b);
  return b.build();
}

// ---------------------------------------------------------------------------------------
// Per-key isolation, no TTL

test('value state: default value, per-key isolation, clear', () => {
  const { backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('count', 0));
  backend.setCurrentKey('a');
  assert.equal(s.value(), 0); // nothing written: the descriptor's default
  s.update(5);
  backend.setCurrentKey('b');
  assert.equal(s.value(), 0); // a's 5 is invisible to b
  s.update(7);
  backend.setCurrentKey('a');
  assert.equal(s.value(), 5);
  assert.equal(backend.entryCount(), 2); // (a) and (b)
  s.clear();
  assert.equal(s.value(), 0); // back to the default
  assert.equal(backend.entryCount(), 1); // only b left
  backend.setCurrentKey('b');
  assert.equal(s.value(), 7);
  // Without a default, an unwritten value is undefined.
  const plain = backend.getValueState(new ValueStateDescriptor<string>('name'));
  assert.equal(plain.value(), undefined);
});

test('composite (array) keys with equal elements share state', () => {
  const { backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('v'));
  backend.setCurrentKey(['x', 1]);
  s.update(1);
  backend.setCurrentKey(['x', 1]); // a different array with the same elements
  assert.equal(s.value(), 1);
  backend.setCurrentKey(['x', 2]);
  assert.equal(s.value(), undefined);
  // Keys that differ only in type stay apart, inside composite keys too.
  backend.setCurrentKey([5n]);
  s.update(10);
  backend.setCurrentKey(['5n']);
  assert.equal(s.value(), undefined);
  backend.setCurrentKey(5n);
  assert.equal(s.value(), undefined);
  backend.setCurrentKey('5n');
  assert.equal(s.value(), undefined);
});

test('list state: add, addAll, update, get returns a copy, per key', () => {
  const { backend } = setup();
  const s = backend.getListState(new ListStateDescriptor<number>('l'));
  backend.setCurrentKey('a');
  assert.deepEqual(s.get(), []);
  s.add(1);
  s.add(2);
  s.addAll([3, 4]);
  assert.deepEqual(s.get(), [1, 2, 3, 4]);
  s.get().push(99); // mutating the returned array must not change the state
  assert.deepEqual(s.get(), [1, 2, 3, 4]);
  backend.setCurrentKey('b');
  assert.deepEqual(s.get(), []);
  s.update([9]);
  assert.deepEqual(s.get(), [9]);
  backend.setCurrentKey('a');
  assert.deepEqual(s.get(), [1, 2, 3, 4]);
  s.update([]); // updating with nothing empties the list
  assert.deepEqual(s.get(), []);
  assert.equal(backend.entryCount(), 1); // only b
  assert.throws(() => s.add(undefined as unknown as number), TypeError);
});

test('map state: put/get/contains/remove/keys/values/entries/isEmpty, per key', () => {
  const { backend } = setup();
  const s = backend.getMapState(new MapStateDescriptor<string, number>('m'));
  backend.setCurrentKey('a');
  assert.equal(s.isEmpty(), true);
  s.put('x', 1);
  s.putAll([
    ['y', 2],
    ['z', 3],
  ]);
  s.put('x', 10); // overwrite keeps insertion position
  assert.equal(s.get('x'), 10);
  assert.equal(s.contains('y'), true);
  assert.equal(s.contains('w'), false);
  assert.deepEqual(s.keys(), ['x', 'y', 'z']);
  assert.deepEqual(s.values(), [10, 2, 3]);
  s.remove('y');
  assert.deepEqual(s.entries(), [
    ['x', 10],
    ['z', 3],
  ]);
  backend.setCurrentKey('b');
  assert.equal(s.isEmpty(), true);
  assert.equal(s.get('x'), undefined);
  s.put('x', -1);
  backend.setCurrentKey('a');
  assert.equal(s.get('x'), 10);
  s.remove('x');
  s.remove('z');
  assert.equal(s.isEmpty(), true);
  assert.equal(backend.entryCount(), 1); // removing the last entry drops a's map
});

test('reducing and aggregating state, per key', () => {
  const { backend } = setup();
  const sum = backend.getReducingState(new ReducingStateDescriptor<number>('sum', (x, y) => x + y));
  const avg = backend.getAggregatingState(new AggregatingStateDescriptor('avg', average));
  backend.setCurrentKey('a');
  assert.equal(sum.get(), undefined);
  assert.equal(avg.get(), undefined);
  for (const v of [1, 2, 6]) {
    sum.add(v);
    avg.add(v);
  }
  backend.setCurrentKey('b');
  sum.add(10);
  avg.add(10);
  backend.setCurrentKey('a');
  assert.equal(sum.get(), 9); // 1 + 2 + 6
  assert.equal(avg.get(), 3); // (1 + 2 + 6) / 3
  backend.setCurrentKey('b');
  assert.equal(sum.get(), 10);
  assert.equal(avg.get(), 10);
  sum.clear();
  assert.equal(sum.get(), undefined);
  assert.equal(avg.get(), 10);
});

test('the same state name with another kind is rejected; the same kind returns the same state', () => {
  const { backend } = setup();
  const a = backend.getValueState(new ValueStateDescriptor<number>('s'));
  assert.equal(backend.getValueState(new ValueStateDescriptor<number>('s')), a);
  assert.throws(() => backend.getListState(new ListStateDescriptor<number>('s')), { code: 'STATE_KIND_MISMATCH' });
});

// ---------------------------------------------------------------------------------------
// TTL (ttl = 100 ms; an entry stamped at t expires at t + 100, i.e. is gone when now >= t + 100)

test('TTL value state, OnCreateAndWrite: reads do not extend the lifetime, writes do', () => {
  const { clock, backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('v', -1).enableTimeToLive(ttl100()));
  backend.setCurrentKey('a');
  s.update(1); // stamped 0
  clock.advanceTo(60);
  assert.equal(s.value(), 1); // 0 + 100 > 60; the read does not restamp
  clock.advanceTo(99);
  assert.equal(s.value(), 1);
  clock.advanceTo(100);
  assert.equal(s.value(), -1); // 0 + 100 <= 100: expired, the default is returned
  assert.equal(backend.entryCount(), 0); // and the expired entry is dropped on read

  backend.setCurrentKey('b');
  s.update(1); // stamped 100
  clock.advanceTo(180);
  s.update(2); // restamped 180
  clock.advanceTo(250);
  assert.equal(s.value(), 2); // 180 + 100 > 250
  clock.advanceTo(280);
  assert.equal(s.value(), -1); // 180 + 100 <= 280
});

test('TTL value state, OnReadAndWrite: every read restamps', () => {
  const { clock, backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl100((b) => b.updateTtlOnReadAndWrite())));
  backend.setCurrentKey('a');
  s.update(1); // stamped 0
  clock.advanceTo(60);
  assert.equal(s.value(), 1); // restamped 60
  clock.advanceTo(150);
  assert.equal(s.value(), 1); // 60 + 100 > 150; restamped 150 (OnCreateAndWrite would have expired it at 100)
  clock.advanceTo(250);
  assert.equal(s.value(), undefined); // 150 + 100 <= 250
});

test('TTL value state, ReturnExpiredIfNotCleanedUp: the expired value is returned once, then it is gone (as Flink)', () => {
  const { clock, backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl100((b) => b.returnExpiredIfNotCleanedUp())));
  backend.setCurrentKey('a');
  s.update(1); // stamped 0
  clock.advanceTo(150);
  // Expired (0 + 100 <= 150) but not cleaned up yet: this read still sees it, and cleans it up.
  assert.equal(s.value(), 1);
  assert.equal(backend.entryCount(), 0);
  assert.equal(s.value(), undefined);
});

test('TTL value state, NeverReturnExpired: an expired value is never returned even if still stored', () => {
  const { clock, backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl100()));
  backend.setCurrentKey('a');
  s.update(1);
  clock.advanceTo(150);
  assert.equal(backend.entryCount(), 1); // still stored: no background cleanup ran
  assert.equal(s.value(), undefined);
});

test('TTL list state: each element has its own stamp', () => {
  const { clock, backend } = setup();
  const s = backend.getListState(new ListStateDescriptor<string>('l').enableTimeToLive(ttl100()));
  backend.setCurrentKey('a');
  s.add('p'); // stamped 0
  clock.advanceTo(50);
  s.add('q'); // stamped 50
  clock.advanceTo(99);
  assert.deepEqual(s.get(), ['p', 'q']);
  clock.advanceTo(100);
  assert.deepEqual(s.get(), ['q']); // p: 0 + 100 <= 100 expired; q: 50 + 100 > 100
  clock.advanceTo(150);
  assert.deepEqual(s.get(), []); // q: 50 + 100 <= 150
  assert.equal(backend.entryCount(), 0);
});

test('TTL list state, OnReadAndWrite restamps the live elements on read', () => {
  const { clock, backend } = setup();
  const s = backend.getListState(new ListStateDescriptor<string>('l').enableTimeToLive(ttl100((b) => b.updateTtlOnReadAndWrite())));
  backend.setCurrentKey('a');
  s.add('p'); // 0
  clock.advanceTo(90);
  assert.deepEqual(s.get(), ['p']); // restamped 90
  clock.advanceTo(180);
  assert.deepEqual(s.get(), ['p']); // 90 + 100 > 180; restamped 180
  clock.advanceTo(280);
  assert.deepEqual(s.get(), []);
});

test('TTL map state: per-entry stamps; OnReadAndWrite get(k) restamps only k (as Flink)', () => {
  const { clock, backend } = setup();
  const s = backend.getMapState(new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl100((b) => b.updateTtlOnReadAndWrite())));
  backend.setCurrentKey('a');
  s.put('x', 1); // 0
  s.put('y', 2); // 0
  clock.advanceTo(60);
  assert.equal(s.get('x'), 1); // x restamped 60; y keeps 0
  clock.advanceTo(120);
  assert.equal(s.get('y'), undefined); // y: 0 + 100 <= 120
  assert.equal(s.get('x'), 1); // x: 60 + 100 > 120; restamped 120
  assert.equal(s.contains('x'), true); // restamped 120 again
  clock.advanceTo(219);
  assert.deepEqual(s.entries(), [['x', 1]]); // 120 + 100 > 219; restamped 219
  clock.advanceTo(319);
  assert.equal(s.isEmpty(), true); // 219 + 100 <= 319
  assert.equal(backend.entryCount(), 0);
});

test('TTL map state, OnCreateAndWrite + ReturnExpiredIfNotCleanedUp: an expired entry is returned once, then removed', () => {
  const { clock, backend } = setup();
  const s = backend.getMapState(new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl100((b) => b.returnExpiredIfNotCleanedUp())));
  backend.setCurrentKey('a');
  s.put('x', 1); // 0
  clock.advanceTo(50);
  s.put('y', 2); // 50
  clock.advanceTo(120);
  assert.equal(s.get('x'), 1); // expired (0 + 100 <= 120), returned once and removed
  assert.equal(s.get('x'), undefined);
  assert.deepEqual(s.keys(), ['y']); // y: 50 + 100 > 120
  clock.advanceTo(150);
  assert.deepEqual(s.entries(), [['y', 2]]); // y expired at 150: returned once by the iteration, and removed
  assert.deepEqual(s.entries(), []);
  assert.equal(backend.entryCount(), 0);
});

test('TTL reducing and aggregating state: add restamps, expired accumulators restart', () => {
  const { clock, backend } = setup();
  const sum = backend.getReducingState(new ReducingStateDescriptor<number>('sum', (x, y) => x + y).enableTimeToLive(ttl100()));
  const avg = backend.getAggregatingState(new AggregatingStateDescriptor('avg', average).enableTimeToLive(ttl100()));
  backend.setCurrentKey('a');
  sum.add(1); // 0
  avg.add(1);
  clock.advanceTo(50);
  sum.add(2); // 3, restamped 50
  avg.add(3); // avg 2, restamped 50
  clock.advanceTo(140);
  assert.equal(sum.get(), 3); // 50 + 100 > 140
  assert.equal(avg.get(), 2);
  clock.advanceTo(150);
  assert.equal(sum.get(), undefined); // 50 + 100 <= 150
  assert.equal(avg.get(), undefined);
  sum.add(5); // starts over from 5, not 3 + 5
  avg.add(5);
  assert.equal(sum.get(), 5);
  assert.equal(avg.get(), 5);
});

test('TTL incremental cleanup: each access checks the next N entries and drops expired ones of any key', () => {
  const { clock, backend } = setup();
  const s = backend.getValueState(new ValueStateDescriptor<number>('v').enableTimeToLive(StateTtlConfig.newBuilder(100).cleanupIncrementally(2).build()));
  // Writes at t=0 of k0..k3, each followed by a check of up to 2 entries (none expired).
  // The cursor walks the table: w(k0) sees k0, then the end (restart); w(k1) sees k0, k1;
  // w(k2) sees k2, then the end (restart); w(k3) sees k0, k1 and stops after k1.
  for (const k of ['k0', 'k1', 'k2', 'k3']) {
    backend.setCurrentKey(k);
    s.update(1);
  }
  assert.equal(backend.entryCount(), 4);
  clock.advanceTo(200); // everything written at 0 is expired now
  backend.setCurrentKey('x');
  s.update(2); // table k0 k1 k2 k3 x; the check continues after k1: k2, k3 expired -> dropped
  assert.equal(backend.entryCount(), 3); // k0, k1, x
  s.update(3); // next: x (live), then the end (restart)
  assert.equal(backend.entryCount(), 3);
  s.update(4); // from the start: k0, k1 expired -> dropped
  assert.equal(backend.entryCount(), 1);
  assert.equal(s.value(), 4);
});

test('TTL incremental cleanup with a large size sweeps all keys on one access', () => {
  const { clock, backend } = setup();
  const s = backend.getListState(new ListStateDescriptor<number>('l').enableTimeToLive(StateTtlConfig.newBuilder(100).cleanupIncrementally(10).build()));
  for (const k of ['a', 'b', 'c', 'd']) {
    backend.setCurrentKey(k);
    s.add(1);
  }
  clock.advanceTo(100);
  backend.setCurrentKey('e');
  s.add(2); // checks a..e (5 <= 10): a..d expired (0 + 100 <= 100), e live
  assert.equal(backend.entryCount(), 1);
});

test('full-snapshot cleanup: a snapshot drops expired entries only of states that enable it', () => {
  const { clock, backend } = setup();
  const withFull = backend.getValueState(new ValueStateDescriptor<number>('full').enableTimeToLive(ttl100((b) => b.cleanupFullSnapshot())));
  const without = backend.getValueState(new ValueStateDescriptor<number>('plain').enableTimeToLive(ttl100()));
  for (const k of ['a', 'b']) {
    backend.setCurrentKey(k);
    withFull.update(1);
    without.update(1);
  }
  clock.advanceTo(50);
  backend.setCurrentKey('c');
  withFull.update(1); // stamped 50: still live at 120
  clock.advanceTo(120);
  backend.snapshot();
  // full: a, b expired (0 + 100 <= 120) and purged, c kept; plain: a, b kept (not enabled)
  assert.equal(backend.entryCount(), 3);
});

test('TTL incremental cleanup for every record: selecting a key alone runs a cleanup step', () => {
  for (const everyRecord of [true, false]) {
    const { clock, backend } = setup();
    const s = backend.getValueState(new ValueStateDescriptor<number>('v').enableTimeToLive(StateTtlConfig.newBuilder(100).cleanupIncrementally(10, everyRecord).build()));
    for (const k of ['a', 'b']) {
      backend.setCurrentKey(k);
      s.update(1); // stamped 0
    }
    clock.advanceTo(200);
    backend.setCurrentKey('c'); // no state access at all, as for a record that reads no state
    // With runCleanupForEveryRecord the key selection checks up to 10 entries: a, b expired -> dropped.
    assert.equal(backend.entryCount(), everyRecord ? 0 : 2, `everyRecord=${everyRecord}`);
  }
});

test('TTL incremental cleanup runs on every access, before the read, even for a key without state', () => {
  const { clock, backend } = setup();
  const ttl = StateTtlConfig.newBuilder(100).cleanupIncrementally(10).returnExpiredIfNotCleanedUp().build();
  const v = backend.getValueState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl));
  for (const k of ['a', 'b']) {
    backend.setCurrentKey(k);
    v.update(1); // stamped 0
  }
  clock.advanceTo(150);
  backend.setCurrentKey('c');
  assert.equal(v.value(), undefined); // c has nothing, but the access still checks a and b: both expired, dropped
  assert.equal(backend.entryCount(), 0);
  backend.setCurrentKey('a');
  v.update(2); // stamped 150
  clock.advanceTo(300);
  // The cleanup step of this very read drops a's expired entry first, so even
  // ReturnExpiredIfNotCleanedUp has nothing to return (as Flink: the access callback runs first).
  assert.equal(v.value(), undefined);
});
