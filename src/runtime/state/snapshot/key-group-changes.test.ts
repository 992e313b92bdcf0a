import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyKeyGroupChanges, decodeDelta, decodeKeyGroupChanges, encodeDelta, encodeKeyGroupChanges, isDelta } from './key-group-changes.ts';
import type { KeyGroupChanges } from './key-group-changes.ts';
import { decodeKeyGroupState, encodeKeyGroupState } from './keyed-state-snapshot.ts';
import type { KeyGroupState } from './keyed-state-snapshot.ts';

const base: KeyGroupState = {
  states: [
    { name: 'count', kind: 'value', ttl: false, entries: [['a', '', 1], ['b', '', 2], ['c', 'w1', 3]] },
    { name: 'items', kind: 'list', ttl: false, entries: [['a', '', ['x', 'y']]] },
    { name: 'tags', kind: 'map', ttl: false, entries: [['a', '', new Map<unknown, unknown>([['k1', 1], ['k2', 2]])]] },
    { name: 'seen', kind: 'value', ttl: true, entries: [['a', '', { v: 'old', t: 100 }]] },
  ],
  timers: [
    { service: 'win', domain: 'event', timers: [['a', 'w1', 10], ['b', 'w1', 10]] },
    { service: 'clean', domain: 'processing', timers: [['c', '', 99]] },
  ],
};

test('changes encode and decode to the same puts, deletes and timer lists', () => {
  const c: KeyGroupChanges = {
    states: [{ name: 'count', kind: 'value', ttl: false, puts: [['a', '', 5], [[1, 'x'], 'ns', 7n]], deletes: [['b', '']] }],
    timers: [{ service: 'win', domain: 'event', timers: [] }],
  };
  const bytes = encodeKeyGroupChanges(c);
  assert.deepEqual(decodeKeyGroupChanges(bytes, 3), c);
  const delta = encodeDelta([bytes, bytes]);
  assert.equal(isDelta(delta), true);
  assert.equal(isDelta(encodeKeyGroupState(base)), false);
  assert.deepEqual(decodeDelta(delta, 3), [c, c]);
  // Neither encoding reads as the other.
  assert.throws(() => decodeKeyGroupState(delta, 3), { code: 'CORRUPT_STATE_SNAPSHOT' });
  assert.throws(() => decodeDelta(encodeKeyGroupState(base), 3), { code: 'CORRUPT_STATE_SNAPSHOT' });
});

test('applying changes overwrites, adds and removes entries in place, whole lists and maps, TTL stamps and timer lists', () => {
  const first: KeyGroupChanges = {
    states: [
      { name: 'count', kind: 'value', ttl: false, puts: [['a', '', 10], ['d', '', 4]], deletes: [['b', ''], ['zz', '']] },
      { name: 'items', kind: 'list', ttl: false, puts: [['a', '', ['x', 'y', 'z']]], deletes: [] },
      { name: 'tags', kind: 'map', ttl: false, puts: [['a', '', new Map<unknown, unknown>([['k2', 20], ['k3', 3]])]], deletes: [] },
      { name: 'seen', kind: 'value', ttl: true, puts: [['a', '', { v: 'new', t: 200 }]], deletes: [] },
      { name: 'fresh', kind: 'reducing', ttl: false, puts: [['e', 'w2', 1]], deletes: [] },
    ],
    timers: [{ service: 'win', domain: 'event', timers: [['a', 'w1', 10]] }],
  };
  const second: KeyGroupChanges = {
    states: [
      { name: 'count', kind: 'value', ttl: false, puts: [['b', '', 22]], deletes: [['c', 'w1']] },
      { name: 'items', kind: 'list', ttl: false, puts: [], deletes: [['a', '']] },
    ],
    timers: [{ service: 'clean', domain: 'processing', timers: [] }],
  };
  const after = applyKeyGroupChanges(base, [first, second]);
  assert.deepEqual(after, {
    states: [
      // 'a' stays first; 'b' was removed and written again, so it comes after 'd'.
      { name: 'count', kind: 'value', ttl: false, entries: [['a', '', 10], ['d', '', 4], ['b', '', 22]] },
      { name: 'tags', kind: 'map', ttl: false, entries: [['a', '', new Map<unknown, unknown>([['k2', 20], ['k3', 3]])]] },
      { name: 'seen', kind: 'value', ttl: true, entries: [['a', '', { v: 'new', t: 200 }]] },
      { name: 'fresh', kind: 'reducing', ttl: false, entries: [['e', 'w2', 1]] },
    ],
    timers: [{ service: 'win', domain: 'event', timers: [['a', 'w1', 10]] }],
  });
  // The same key in another namespace is another entry.
  const ns = applyKeyGroupChanges(base, [{ states: [{ name: 'count', kind: 'value', ttl: false, puts: [['c', '', 30]], deletes: [] }], timers: [] }]);
  assert.deepEqual(ns!.states[0]!.entries, [['a', '', 1], ['b', '', 2], ['c', 'w1', 3], ['c', '', 30]]);
});

test('a group whose every entry and timer is removed is gone; changes on nothing build a group', () => {
  const removeAll: KeyGroupChanges = {
    states: [
      { name: 'count', kind: 'value', ttl: false, puts: [], deletes: [['a', ''], ['b', ''], ['c', 'w1']] },
      { name: 'items', kind: 'list', ttl: false, puts: [], deletes: [['a', '']] },
      { name: 'tags', kind: 'map', ttl: false, puts: [], deletes: [['a', '']] },
      { name: 'seen', kind: 'value', ttl: true, puts: [], deletes: [['a', '']] },
    ],
    timers: [
      { service: 'win', domain: 'event', timers: [] },
      { service: 'clean', domain: 'processing', timers: [] },
    ],
  };
  assert.equal(applyKeyGroupChanges(base, [removeAll]), undefined);
  assert.deepEqual(applyKeyGroupChanges(undefined, [{ states: [{ name: 'n', kind: 'value', ttl: false, puts: [[1, '', 'one']], deletes: [] }], timers: [] }]), {
    states: [{ name: 'n', kind: 'value', ttl: false, entries: [[1, '', 'one']] }],
    timers: [],
  });
});

test('map entries changed one by one are patched into a copy of the map; a map they empty is gone', () => {
  const withMaps: KeyGroupState = {
    states: [
      { name: 'tags', kind: 'map', ttl: false, entries: [['a', '', new Map<unknown, unknown>([['k1', 1], ['k2', 2]])], ['b', '', new Map<unknown, unknown>([['only', 0]])]] },
      { name: 'stamped', kind: 'map', ttl: true, entries: [['a', 'w', new Map<unknown, unknown>([[7, { v: 'x', t: 10 }]])]] },
    ],
    timers: [],
  };
  const patches: KeyGroupChanges = {
    states: [
      { name: 'tags', kind: 'map', ttl: false, puts: [], deletes: [], mapPuts: [['a', '', 'k2', 20], ['a', '', 'k3', 3], ['c', '', 'new', 1]], mapDeletes: [['a', '', 'k1'], ['b', '', 'only']] },
      { name: 'stamped', kind: 'map', ttl: true, puts: [], deletes: [], mapPuts: [['a', 'w', 7, { v: 'x', t: 50 }]], mapDeletes: [] },
    ],
    timers: [],
  };
  const bytes = encodeKeyGroupChanges(patches);
  assert.deepEqual(decodeKeyGroupChanges(bytes, 0), patches);
  assert.deepEqual(applyKeyGroupChanges(withMaps, [decodeKeyGroupChanges(bytes, 0)]), {
    states: [
      { name: 'tags', kind: 'map', ttl: false, entries: [['a', '', new Map<unknown, unknown>([['k2', 20], ['k3', 3]])], ['c', '', new Map<unknown, unknown>([['new', 1]])]] },
      { name: 'stamped', kind: 'map', ttl: true, entries: [['a', 'w', new Map<unknown, unknown>([[7, { v: 'x', t: 50 }]])]] },
    ],
    timers: [],
  });
  // The base's maps are as they were.
  assert.deepEqual([...(withMaps.states[0]!.entries[0]![2] as Map<unknown, unknown>)], [['k1', 1], ['k2', 2]]);
  assert.deepEqual([...(withMaps.states[0]!.entries[1]![2] as Map<unknown, unknown>)], [['only', 0]]);
});
