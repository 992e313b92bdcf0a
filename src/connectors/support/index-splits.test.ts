import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceReaderContext } from '../../api/source.ts';
import { IndexSplits } from './index-splits.ts';

const ctx = (subtaskIndex: number, parallelism: number, restoredState?: unknown[]) => ({ subtaskIndex, parallelism, restoredState: restoredState ?? [], isRestored: restoredState !== undefined }) as unknown as SourceReaderContext;

function drain(splits: IndexSplits, count: number, max = Infinity): number[] {
  const out: number[] = [];
  splits.take(max, count, (i) => out.push(i));
  return out;
}

test('a fresh reader takes its stride of the indices', () => {
  assert.deepEqual(drain(IndexSplits.forReader(ctx(1, 3)), 10), [1, 4, 7]);
});

test('restored at another parallelism, every index comes exactly once, each reader in increasing order', () => {
  const count = 40;
  // Parallelism 2, each reader emits some, then the state is dealt round-robin to 3 readers.
  const first = [0, 1].map((s) => IndexSplits.forReader(ctx(s, 2)));
  const before = [...drain(first[0]!, count, 5), ...drain(first[1]!, count, 3)];
  const state = first.flatMap((r) => r.snapshot());
  assert.deepEqual(state, [[2, 10], [2, 7]]);
  const after = [0, 1, 2].map((s) => IndexSplits.forReader(ctx(s, 3, state.filter((_, i) => i % 3 === s))));
  const rest = after.map((r) => drain(r, count));
  for (const list of rest) assert.deepEqual(list, [...list].sort((a, b) => a - b));
  assert.deepEqual(rest[2], []); // two splits for three readers: one reader gets none
  assert.deepEqual([...before, ...rest.flat()].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
  assert.equal(after.every((r) => r.ended(count)), true);
});

test('a reader holding two splits merges them lowest index first', () => {
  const r = IndexSplits.forReader(ctx(0, 1, [[2, 8], [2, 3]]));
  assert.deepEqual(drain(r, 12), [3, 5, 7, 8, 9, 10, 11]);
});
