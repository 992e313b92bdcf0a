import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from './stream-element.ts';

test('BatchBuilder: each batch holds exactly what was added since the last take, whatever the sizes before', () => {
  const b = new BatchBuilder();
  const fill = (from: number, n: number) => {
    for (let i = from; i < from + n; i++) b.add(`r${i}`, i * 10);
  };
  const sizes = [5, 2, 0, 7, 7, 1];
  let next = 0;
  const taken: { values: unknown[]; timestamps: number[] }[] = [];
  for (const n of sizes) {
    fill(next, n);
    next += n;
    assert.equal(b.length, n);
    if (n > 0) taken.push(b.take());
    assert.equal(b.length, 0);
  }
  let first = 0;
  for (const [i, batch] of taken.entries()) {
    const n = sizes.filter((s) => s > 0)[i]!;
    // No leftover slots from a larger batch before, no holes.
    assert.deepEqual([...batch.values], Array.from({ length: n }, (_, j) => `r${first + j}`));
    assert.deepEqual([...batch.timestamps], Array.from({ length: n }, (_, j) => (first + j) * 10));
    first += n;
  }
});

test('BatchBuilder: a taken batch is not touched by later adds', () => {
  const b = new BatchBuilder();
  b.add('a', 1);
  b.add('b', 2);
  const first = b.take();
  b.add('c', 3);
  b.add('d', 4);
  b.add('e', 5);
  assert.deepEqual([...first.values], ['a', 'b']);
  assert.deepEqual([...first.timestamps], [1, 2]);
  assert.deepEqual([...b.take().values], ['c', 'd', 'e']);
});
