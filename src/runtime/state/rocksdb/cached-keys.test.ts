import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedKeys } from './cached-keys.ts';
import type { KeyId } from '../key-identity.ts';

function cacheOf(ids: readonly string[]): CachedKeys {
  const c = new CachedKeys();
  for (const id of ids) c.add(id as KeyId, Buffer.from(id), false);
  return c;
}

function evicted(c: CachedKeys, count: number, keep: readonly string[] = []): string[] {
  const out: string[] = [];
  c.evict(count, new Set(keep as KeyId[]), (id) => out.push(String(id)));
  return out;
}

test('keys used since they were loaded get a second chance: the unused go first, in load order', () => {
  const c = cacheOf(['a', 'b', 'c', 'd']);
  assert.equal(c.use('a' as KeyId), true);
  assert.equal(c.use('c' as KeyId), true);
  assert.deepEqual(evicted(c, 2), ['b', 'd']);
  assert.equal(c.size, 2);
  assert.equal(c.prefixOf('a' as KeyId)?.toString(), 'a');
});

test('when every key was used, the pass clears their marks and evicts in load order', () => {
  const c = cacheOf(['a', 'b', 'c']);
  for (const id of ['a', 'b', 'c']) c.use(id as KeyId);
  assert.deepEqual(evicted(c, 1), ['a']);
  // b and c lost their marks: without a new use, they are next.
  c.use('c' as KeyId);
  assert.deepEqual(evicted(c, 1), ['b']);
});

test('kept keys are never evicted, even when fewer keys than asked can go', () => {
  const c = cacheOf(['a', 'b', 'c']);
  assert.deepEqual(evicted(c, 3, ['a', 'c']), ['b']);
  assert.equal(c.has('a' as KeyId), true);
  assert.equal(c.has('c' as KeyId), true);
  assert.equal(c.use('b' as KeyId), false);
});
