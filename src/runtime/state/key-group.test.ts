import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur3_32, hashKey, keyGroupFor, subtaskForKeyGroup, KeyGroupRange, checkKey, checkParallelism } from './key-group.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

test('murmur3_32 matches the reference vectors (seed 0)', () => {
  assert.equal(murmur3_32(utf8('')), 0);
  assert.equal(murmur3_32(utf8('hello')), 0x248bfa47);
  assert.equal(murmur3_32(utf8('The quick brown fox jumps over the lazy dog')), 0x2e4ff723);
  assert.equal(murmur3_32(new Uint8Array([0x21, 0x43, 0x65, 0x87])), 0xf55b516b);
});

test('string keys hash their UTF-8 bytes, including multi-byte and astral characters', () => {
  for (const s of ['a', 'abc', 'ünïcödé', '日本語', 'emoji 😀 key', '\u0800', '\u07ff']) {
    assert.equal(hashKey(s), murmur3_32(utf8(s)), s);
  }
  // ASCII runs are hashed four characters at a time: every length and every place where a
  // multi-byte character (or a lone surrogate) interrupts them must still agree.
  const ascii = 'abcdefghijklm';
  for (let n = 0; n <= ascii.length; n++) {
    for (const extra of ['', 'é', '日', '😀', '\ud800', 'é!', 'x日yz']) {
      for (let at = 0; at <= n; at++) {
        const s = ascii.slice(0, at) + extra + ascii.slice(at, n);
        assert.equal(hashKey(s), murmur3_32(utf8(s)), JSON.stringify(s));
      }
    }
  }
});

test('number keys hash their big-endian float64 bytes, and -0 equals 0', () => {
  const be = (n: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, n, false);
    return b;
  };
  assert.equal(hashKey(42), murmur3_32(be(42)));
  assert.equal(hashKey(-0), hashKey(0));
  assert.equal(hashKey(1.5), murmur3_32(be(1.5)));
  for (const n of [1, -1, 255, 65536, 2 ** 31, -(2 ** 53), 1e-300, Number.MAX_VALUE, 123456.789]) assert.equal(hashKey(n), murmur3_32(be(n)), String(n));
});

test('key group and subtask follow DESIGN section 2', () => {
  assert.equal(keyGroupFor('hello', 128), 0x248bfa47 % 128); // 71
  assert.equal(keyGroupFor('hello', 128), 71);
  assert.equal(subtaskForKeyGroup(71, 4, 128), 2);
  assert.equal(subtaskForKeyGroup(0, 4, 128), 0);
  assert.equal(subtaskForKeyGroup(127, 4, 128), 3);
  assert.equal(subtaskForKeyGroup(31, 4, 128), 0);
  assert.equal(subtaskForKeyGroup(32, 4, 128), 1);
});

test('KeyGroupRange.forSubtask covers exactly the key groups that map to the subtask', () => {
  for (const [maxP, p] of [[128, 1], [128, 3], [128, 4], [10, 3], [7, 7]] as const) {
    let next = 0;
    for (let s = 0; s < p; s++) {
      const r = KeyGroupRange.forSubtask(maxP, p, s);
      assert.equal(r.start, next);
      for (let kg = r.start; kg <= r.end; kg++) assert.equal(subtaskForKeyGroup(kg, p, maxP), s);
      next = r.end + 1;
    }
    assert.equal(next, maxP);
  }
  assert.deepEqual(KeyGroupRange.forSubtask(10, 3, 1), new KeyGroupRange(4, 6));
});

test('bad keys and bad parallelism are rejected with a stable code', () => {
  assert.throws(() => checkKey(undefined), { code: 'INVALID_KEY', message: /returned undefined/ });
  assert.throws(() => checkKey({ a: 1 }), { code: 'INVALID_KEY', message: /an object/ });
  assert.throws(() => checkKey(NaN), { code: 'INVALID_KEY', message: /NaN/ });
  assert.doesNotThrow(() => checkKey(['a', 1, 2n, true]));
  assert.throws(() => checkParallelism(200, 128, 'map'), { code: 'INVALID_PARALLELISM', message: /above maxParallelism 128/ });
  assert.throws(() => checkParallelism(0, 128, 'map'), { code: 'INVALID_PARALLELISM' });
});
