import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOT_URLS, channelName, channelUrl, creditCard, personName, reversedChannelId } from './strings.ts';
import { nextI32, nextInt, nextPrice, restoreState, saveState, seed } from './random.ts';

test('channel ids are Java Math.abs(Integer.reverse(n))', () => {
  assert.equal(reversedChannelId(0), 0);
  assert.equal(reversedChannelId(1), -2147483648); // abs(MIN_VALUE) stays negative in Java
  assert.equal(reversedChannelId(2), 1073741824);
  assert.equal(reversedChannelId(3), 1073741824); // 0xC0000000 -> abs = 0x40000000
  assert.equal(reversedChannelId(9999), Math.abs(0xf0e40000 | 0));
});

test('channel names and URLs are fixed per channel, and lazy caching does not disturb draws', () => {
  assert.equal(channelName(42), 'channel-42');
  seed(7);
  const expected = [nextI32(), nextI32()];
  seed(7);
  nextI32();
  const url = channelUrl(4321); // first use computes it mid-sequence
  assert.equal(nextI32(), expected[1]);
  assert.equal(channelUrl(4321), url);
  assert.equal(HOT_URLS.length, 4);
  for (const u of HOT_URLS) assert.match(u, /^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1$/);
});

test('vocabularies', () => {
  assert.equal(personName(0), 'Peter Shultz');
  assert.equal(personName(98), 'Walter Noris');
  assert.equal(creditCard(7, 42, 9999, 123), '0007 0042 9999 0123');
});

test('draws are deterministic per seed and in range', () => {
  seed(123);
  const a = [nextInt(10), nextInt(1000), nextPrice()];
  seed(123);
  assert.deepEqual([nextInt(10), nextInt(1000), nextPrice()], a);
  const s = saveState();
  const x = nextI32();
  restoreState(s);
  assert.equal(nextI32(), x);
  const hist = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    seed(i);
    const v = nextInt(10);
    assert.ok(v >= 0 && v < 10);
    hist[v]++;
  }
  for (const h of hist) assert.ok(Math.abs(h - 10_000) < 500, `bucket ${h}`);
});

test('price matches round(10^(6u) * 100) to within a cent', () => {
  for (let i = 0; i < 100_000; i++) {
    seed(i);
    const p = nextPrice();
    seed(i);
    const u = (nextI32() >>> 0) / 4294967296;
    assert.ok(Math.abs(p - Math.round(Math.pow(10, u * 6) * 100)) <= 1);
  }
});
