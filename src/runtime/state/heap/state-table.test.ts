import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateTable } from './state-table.ts';

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
  const inner = t.namespace('odd');
  t.dropNamespace('odd');
  assert.notEqual(t.namespace('odd'), inner); // a dropped namespace starts afresh
  assert.equal(t.get('odd', 'k'), undefined);
});
