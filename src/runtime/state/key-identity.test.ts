import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFromIdentity, keyIdentity } from './key-identity.ts';
import type { KeyValue } from './key-group.ts';

test('keys that differ in type keep apart, also inside composite keys', () => {
  const keys: KeyValue[] = [5, 5n, '5', '5n', true, 'true', [5], [5n], ['5n'], ['5'], [true], [[5n], 'a'], [['5n'], 'a'], '\u0000c[5]', '\u0000s', ''];
  const ids = keys.map(keyIdentity);
  assert.equal(new Set(ids).size, keys.length);
});

test('equal composite keys share one identity; 0 and -0 are one key', () => {
  assert.equal(keyIdentity(['x', 1, [2n, false]]), keyIdentity(['x', 1, [2n, false]]));
  assert.equal(new Map([[keyIdentity(0), 'a']]).get(keyIdentity(-0)), 'a');
});

test('every identity turns back into its key', () => {
  const keys: KeyValue[] = ['plain', '', 'ünï', 42, -1.5, 12345678901234567890n, false, ['a', 1, 2n, true, ['nested', -3n]], '\u0000c[1]', '\u0000', '\u0000s', []];
  for (const k of keys) assert.deepEqual(keyFromIdentity(keyIdentity(k)), k, JSON.stringify(k, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
});
