import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaStringHash, splitOwner } from './split-owner.ts';

test('the topic hash is Java String.hashCode', () => {
  assert.equal(javaStringHash(''), 0);
  assert.equal(javaStringHash('orders'), -1008770331);
  assert.equal(javaStringHash('a'), 97);
});

test('a topic\'s partitions go round-robin from a start derived from its name', () => {
  // ((-1008770331 * 31) & 0x7fffffff) % 4 = 3 as Flink computes it
  const start = (Math.imul(-1008770331, 31) & 0x7fffffff) % 4;
  assert.deepEqual([0, 1, 2, 3, 4].map((p) => splitOwner('orders', p, 4)), [0, 1, 2, 3, 4].map((p) => (start + p) % 4));
  const counts = [0, 0, 0];
  for (let p = 0; p < 9; p++) counts[splitOwner('t', p, 3)]!++;
  assert.deepEqual(counts, [3, 3, 3]);
});
