import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateTable } from './state-table.ts';
import type { TableSnapshot } from './table-snapshot.ts';

const dump = (t: StateTable<number>) => Object.fromEntries([...t.namespaces].map(([ns, m]) => [ns, Object.fromEntries(m)]));

test('state table: a namespace emptied by delete or dropped is gone, and comes back on the next write', () => {
  const t = new StateTable<number>();
  t.set('a', 'k1', 1);
  t.set('a', 'k2', 2);
  t.delete('a', 'k1');
  assert.deepEqual(dump(t), { a: { k2: 2 } });
  t.delete('a', 'k2'); // the last key: the namespace goes
  assert.deepEqual(dump(t), {});
  assert.equal(t.get('a', 'k2'), undefined);
  t.set('a', 'k3', 3); // written into the table, not into the dropped inner map
  assert.deepEqual(dump(t), { a: { k3: 3 } });
  t.dropNamespace('a');
  assert.equal(t.get('a', 'k3'), undefined);
  t.set('a', 'k4', 4);
  assert.deepEqual(dump(t), { a: { k4: 4 } });
  assert.equal(t.size(), 1);
});

test('state table: alternating namespaces read and write their own entries', () => {
  const t = new StateTable<number>();
  for (let i = 0; i < 10; i++) {
    const ns = i % 2 === 0 ? 'even' : 'odd';
    t.set(ns, 'k', (t.get(ns, 'k') ?? 0) + i);
    t.set('', i, i);
  }
  assert.equal(t.get('even', 'k'), 0 + 2 + 4 + 6 + 8);
  assert.equal(t.get('odd', 'k'), 1 + 3 + 5 + 7 + 9);
  assert.equal(t.size(), 12);
  const inner = t.mapOf('odd');
  t.dropNamespace('odd');
  t.set('odd', 'j', 1);
  assert.notEqual(t.mapOf('odd'), inner); // a dropped namespace starts afresh
  assert.equal(t.get('odd', 'k'), undefined);
});

const copyList = { copy: (l: number[]) => [...l] };
/** Reads up to `max` entries of a view. */
function readSome<S>(view: TableSnapshot<S>, max = Infinity): [string, unknown, S][] {
  const out: [string, unknown, S][] = [];
  view.read(max, (ns, k, v) => out.push([ns, k, v]));
  return out;
}
const sorted = (entries: Iterable<[string, unknown, unknown]>) => [...entries].map(([ns, k, v]) => `${ns}/${String(k)}=${JSON.stringify(v)}`).sort();

test('a table snapshot reads the table as it was when taken, whatever changes while it is read', () => {
  const t = new StateTable<number[]>();
  for (let k = 0; k < 6; k++) t.set('', k, [k]);
  t.set('w1', 'a', [10]);
  t.set('w2', 'a', [20]);
  const view = t.takeSnapshot(copyList);
  const firstTwo = readSome(view, 2);
  // Changes after the barrier: to entries read and not yet read, in place and by set,
  // deletes, new keys, a dropped namespace that comes back, a new namespace.
  t.willChange('', 0);
  t.get('', 0)!.push(100); // already read: the view keeps what it read
  t.willChange('', 3);
  t.get('', 3)!.push(300); // not yet read: the view keeps the old list
  t.set('', 4, [400]);
  t.delete('', 5);
  t.set('', 6, [6]); // new since the barrier
  t.dropNamespace('w1');
  t.set('w1', 'b', [11]);
  t.set('w3', 'a', [30]);
  const rest = readSome(view);
  assert.deepEqual(sorted([...firstTwo, ...rest]), sorted([['', 0, [0]], ['', 1, [1]], ['', 2, [2]], ['', 3, [3]], ['', 4, [4]], ['', 5, [5]], ['w1', 'a', [10]], ['w2', 'a', [20]]]));
  t.releaseSnapshot(view);
  // The table itself holds every change.
  assert.deepEqual(t.get('', 0), [0, 100]);
  assert.deepEqual(t.get('', 3), [3, 300]);
  assert.equal(t.get('', 5), undefined);
  assert.deepEqual(t.get('w1', 'b'), [11]);
  assert.equal(t.get('w1', 'a'), undefined);
});

test('a newer snapshot first reads the rest of an older one, which then still reads as at its barrier', () => {
  const t = new StateTable<number[]>();
  for (let k = 0; k < 4; k++) t.set('', k, [k]);
  const older = t.takeSnapshot(copyList);
  const first = readSome(older, 1);
  t.set('', 2, [20]);
  const newer = t.takeSnapshot(copyList);
  t.set('', 3, [30]); // after both barriers: neither view sees it
  t.set('', 1, [10]);
  assert.deepEqual(sorted([...first, ...readSome(older)]), sorted([['', 0, [0]], ['', 1, [1]], ['', 2, [2]], ['', 3, [3]]]));
  assert.deepEqual(sorted(readSome(newer)), sorted([['', 0, [0]], ['', 1, [1]], ['', 2, [20]], ['', 3, [3]]]));
});
