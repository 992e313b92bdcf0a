import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignParallelism } from './parallelism-alignment.ts';

test('a requirement that a divisor of the key groups meets exactly takes the divisor', () => {
  assert.equal(alignParallelism(50, 128, 128), 64);
  assert.equal(alignParallelism(32, 128, 128), 32);
  assert.equal(alignParallelism(4.2, 128, 128), 5);
});

test('otherwise the fewest subtasks with the same busiest subtask, not the next divisor', () => {
  // 128 / 20 allows 6 key groups per subtask; 21 subtasks would leave one with 7.
  assert.equal(alignParallelism(20, 128, 128), 22);
  assert.equal(alignParallelism(40, 128, 128), 43);
});

test('the upper bound wins, and then no subtask is wasted under it', () => {
  // 20 subtasks hold at most 7 of 128 key groups; 19 do as well.
  assert.equal(alignParallelism(30, 128, 20), 19);
  assert.equal(alignParallelism(200, 128, 500), 128);
});

test('sources align to partitions the same way and never exceed them', () => {
  assert.equal(alignParallelism(5, 12, 100), 6);
  assert.equal(alignParallelism(13, 12, 100), 12);
  assert.equal(alignParallelism(7.5, 12, 100), 12);
});

test('without units the requirement is rounded up, at least 1', () => {
  assert.equal(alignParallelism(2.01, undefined, 10), 3);
  assert.equal(alignParallelism(3.0000000001, undefined, 10), 3);
  assert.equal(alignParallelism(0, undefined, 10), 1);
  assert.equal(alignParallelism(0, 128, 10), 1);
});
