// Snappy as Kafka's Java clients write it: the xerial snappy-java stream (a 16-byte header,
// then length-prefixed raw Snappy blocks of up to 32 KiB). Reading also accepts a bare raw
// Snappy block, as snappy-java's SnappyInputStream does and as many non-Java clients send.
import { compress, uncompress } from 'snappyjs';
import { CompressionError } from './errors.ts';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]); // version 1, compatible 1
const XERIAL_BLOCK = 32 * 1024;

function raw(block: Buffer): Buffer {
  try {
    const out = uncompress(block);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new CompressionError(`invalid snappy block: ${(err as Error).message}`);
  }
}

export function snappyDecompress(src: Buffer): Buffer {
  if (src.length < XERIAL_HEADER.length || !src.subarray(0, 8).equals(XERIAL_MAGIC)) return raw(src);
  const parts: Buffer[] = [];
  for (let s = XERIAL_HEADER.length; s < src.length; ) {
    if (s + 4 > src.length) throw new CompressionError('truncated xerial snappy chunk header');
    const len = src.readInt32BE(s);
    if (len < 0 || s + 4 + len > src.length) throw new CompressionError('xerial snappy chunk longer than its data');
    parts.push(raw(src.subarray(s + 4, s + 4 + len)));
    s += 4 + len;
  }
  return Buffer.concat(parts);
}

export function snappyCompress(src: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let start = 0; start < src.length; start += XERIAL_BLOCK) {
    const block = compress(src.subarray(start, start + XERIAL_BLOCK));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, Buffer.from(block.buffer, block.byteOffset, block.byteLength));
  }
  return Buffer.concat(parts);
}
