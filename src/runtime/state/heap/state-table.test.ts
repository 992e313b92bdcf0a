import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateTable } from './state-table.ts';

/** namespace -> "group/key" -> entry */
function dump(t: StateTable<number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [ns, g, k, v] of t.entries()) (out[ns] ??= {})[`${g}/${String(k)}`] = v;
  return out;
}

test('state table: a namespace emptied by delete or dropped is gone, and comes back on the next write', () => {
  const t = new StateTable<number>(4);
  t.set('a', 0, 'k1', 1);
  t.set('a', 3, 'k2', 2);
  t.delete('a', 0, 'k1');
  assert.deepEqual(dump(t), { a: { '3/k2': 2 } });
  t.delete('a', 0, 'k2'); // not in that key group: nothing happens
  assert.deepEqual(dump(t), { a: { '3/k2': 2 } });
  t.delete('a', 3, 'k2'); // the last key: the namespace goes
  assert.deepEqual(dump(t), {});
  assert.deepEqual(t.namespaceNames(), []);
  assert.equal(t.get('a', 3, 'k2'), undefined);
  t.set('a', 1, 'k3', 3);
  assert.deepEqual(dump(t), { a: { '1/k3': 3 } });
  t.dropNamespace('a');
  assert.equal(t.get('a', 1, 'k3'), undefined);
  t.set('a', 2, 'k4', 4);
  assert.deepEqual(dump(t), { a: { '2/k4': 4 } });
  assert.equal(t.size(), 1);
});

test('state table: alternating namespaces read and write their own entries; key groups keep keys apart', () => {
  const t = new StateTable<number>(2);
  for (let i = 0; i < 10; i++) {
    const ns = i % 2 === 0 ? 'even' : 'odd';
    t.set(ns, 0, 'k', (t.get(ns, 0, 'k') ?? 0) + i);
    t.set('', i % 2, i, i);
  }
  assert.equal(t.get('even', 0, 'k'), 0 + 2 + 4 + 6 + 8);
  assert.equal(t.get('odd', 0, 'k'), 1 + 3 + 5 + 7 + 9);
  assert.equal(t.get('odd', 1, 'k'), undefined);
  assert.equal(t.size(), 12);
  assert.deepEqual([...t.groupEntries(1)].map(([ns, k, v]) => [ns, k, v]), [['', 1, 1], ['', 3, 3], ['', 5, 5], ['', 7, 7], ['', 9, 9]]);
  assert.deepEqual([...t.keysIn('')].filter(([g]) => g === 0).map(([, k]) => k), [0, 2, 4, 6, 8]);
  t.dropNamespace('odd');
  assert.equal(t.get('odd', 0, 'k'), undefined);
  assert.deepEqual(t.namespaceNames().sort(), ['', 'even']);
});
