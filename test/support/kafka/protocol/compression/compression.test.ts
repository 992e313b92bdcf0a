import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lz4Compress as wasmLz4Compress, lz4Decompress as wasmLz4Decompress, snappyCompress as wasmSnappyCompress } from '@platformatic/wasm-utils';
import { Compression, CompressionError, compress, decompress } from './index.ts';
import { lz4Compress } from './lz4.ts';
import { xxh32 } from './xxhash32.ts';
import { zstdBuiltIn, zstdDecompressPortable, zstdStoredFrame } from './zstd.ts';

const text = Buffer.from(Array.from({ length: 40000 }, (_, i) => `record-${i % 1000};`).join(''));
const samples: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('x')],
  ['repetitive text over several blocks', text],
  ['random bytes', randomBytes(150000)],
];

test('every codec decodes what it encodes', () => {
  for (const codec of Object.values(Compression)) {
    for (const [what, data] of samples) assert.deepEqual(decompress(codec, compress(codec, data)), data, `codec ${codec}, ${what}`);
  }
  assert.ok(compress(Compression.LZ4, text).length < text.length / 4);
});

test('xxHash32 matches the reference values', () => {
  assert.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
  assert.equal(xxh32(Buffer.from('a')), 0x550d7456);
  assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
});

test('lz4 frames interoperate with an independent implementation (@platformatic/wasm-utils)', () => {
  for (const [, data] of samples.slice(1)) {
    assert.deepEqual(Buffer.from(wasmLz4Decompress(lz4Compress(data))), data);
    assert.deepEqual(decompress(Compression.LZ4, Buffer.from(wasmLz4Compress(data))), data);
  }
});

test('lz4 frames Kafka refuses are refused: dependent blocks, a wrong header checksum', () => {
  const frame = lz4Compress(text);
  const dependent = Buffer.from(frame);
  dependent[4] = 0x40; // version 1 without the block-independence flag
  assert.throws(() => decompress(Compression.LZ4, dependent), /dependent block stream is unsupported/);
  const badChecksum = Buffer.from(frame);
  badChecksum[6] = ((badChecksum[6] as number) + 1) & 0xff;
  assert.throws(() => decompress(Compression.LZ4, badChecksum), /header checksum mismatch/);
});

test('snappy reads xerial streams and bare raw blocks, and writes xerial streams as Kafka does', () => {
  const written = compress(Compression.SNAPPY, text);
  assert.deepEqual([...written.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
  assert.deepEqual(decompress(Compression.SNAPPY, Buffer.from(wasmSnappyCompress(text))), text);
});

test('zstd: stored frames decode with the portable decoder and with zlib when it has zstd', () => {
  for (const [, data] of samples) {
    const frame = zstdStoredFrame(data);
    assert.deepEqual(zstdDecompressPortable(frame), data);
    if (zstdBuiltIn) assert.deepEqual(decompress(Compression.ZSTD, frame), data);
  }
  if (zstdBuiltIn) assert.deepEqual(zstdDecompressPortable(compress(Compression.ZSTD, text)), text);
});

test('undecodable data is a CompressionError for every codec', () => {
  for (const codec of [Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD]) {
    assert.throws(() => decompress(codec, Buffer.from('definitely not compressed data')), CompressionError, `codec ${codec}`);
  }
});
