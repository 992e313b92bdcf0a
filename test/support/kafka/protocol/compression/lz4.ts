// LZ4 frames as Kafka writes and reads them (Lz4BlockOutputStream / Lz4BlockInputStream):
// frame format version 1 with independent blocks, a correct header checksum, optional block
// and content checksums. Blocks are compressed with a greedy 4-byte hash matcher.
import { xxh32 } from './xxhash32.ts';
import { CompressionError } from './errors.ts';

const MAGIC = 0x184d2204;
const FLG_VERSION = 0x40;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x03;
const BD_64KB = 4 << 4;
const BLOCK_UNCOMPRESSED = 0x80000000;
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;

function decompressBlock(src: Buffer, start: number, end: number, out: Buffer): number {
  let s = start;
  let d = 0;
  const need = (cond: boolean): void => {
    if (!cond) throw new CompressionError('malformed LZ4 block');
  };
  while (s < end) {
    const token = src[s++] as number;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        need(s < end);
        b = src[s++] as number;
        lit += b;
      } while (b === 255);
    }
    need(s + lit <= end && d + lit <= out.length);
    src.copy(out, d, s, s + lit);
    s += lit;
    d += lit;
    if (s === end) break; // the last sequence carries literals only
    need(s + 2 <= end);
    const offset = (src[s] as number) | ((src[s + 1] as number) << 8);
    s += 2;
    need(offset > 0 && offset <= d);
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        need(s < end);
        b = src[s++] as number;
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    need(d + len <= out.length);
    for (let i = 0; i < len; i++, d++) out[d] = out[d - offset] as number;
  }
  return d;
}

function writeLength(out: Buffer, o: number, n: number): number {
  let rest = n - 15;
  while (rest >= 255) {
    out[o++] = 255;
    rest -= 255;
  }
  out[o++] = rest;
  return o;
}

/** Compresses one independent block; returns its length in `out`. */
function compressBlock(src: Buffer, start: number, end: number, out: Buffer, table: Int32Array): number {
  table.fill(-1);
  let o = 0;
  let anchor = start;
  const emit = (litEnd: number, offset: number, matchLen: number): void => {
    const lit = litEnd - anchor;
    const ml = matchLen - MIN_MATCH;
    out[o++] = ((lit >= 15 ? 15 : lit) << 4) | (matchLen === 0 ? 0 : ml >= 15 ? 15 : ml);
    if (lit >= 15) o = writeLength(out, o, lit);
    src.copy(out, o, anchor, litEnd);
    o += lit;
    if (matchLen === 0) return;
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
    if (ml >= 15) o = writeLength(out, o, ml);
  };
  const limit = end - MF_LIMIT;
  let i = start;
  while (i < limit) {
    const seq = src.readUInt32LE(i);
    const h = Math.imul(seq, 2654435761) >>> 20;
    const ref = table[h] as number;
    table[h] = i;
    if (ref >= 0 && i - ref <= 0xffff && src.readUInt32LE(ref) === seq) {
      let m = i + MIN_MATCH;
      let r = ref + MIN_MATCH;
      while (m < end - LAST_LITERALS && src[m] === src[r]) {
        m++;
        r++;
      }
      emit(i, i - ref, m - i);
      i = m;
      anchor = m;
    } else {
      i++;
    }
  }
  emit(end, 0, 0);
  return o;
}

const BLOCK_SIZES: Record<number, number> = { 4: 1 << 16, 5: 1 << 18, 6: 1 << 20, 7: 1 << 22 };

export function lz4Decompress(src: Buffer): Buffer {
  const fail = (why: string): never => {
    throw new CompressionError(`invalid LZ4 frame: ${why}`);
  };
  if (src.length < 7 || src.readUInt32LE(0) !== MAGIC) fail('bad magic');
  const flg = src[4] as number;
  const bd = src[5] as number;
  if ((flg & 0xc0) !== FLG_VERSION) fail('version must be 01');
  if ((flg & FLG_RESERVED) !== 0 || (bd & 0x8f) !== 0) fail('reserved bits set');
  if ((flg & FLG_BLOCK_INDEPENDENT) === 0) fail('dependent block stream is unsupported');
  const maxBlock = BLOCK_SIZES[bd >>> 4] ?? fail('block size must be 64KB to 4MB');
  let s = 6 + ((flg & FLG_CONTENT_SIZE) !== 0 ? 8 : 0);
  if (src.length <= s) fail('truncated descriptor');
  if (((xxh32(src, 4, s) >>> 8) & 0xff) !== src[s]) fail('header checksum mismatch');
  s++;
  const parts: Buffer[] = [];
  for (;;) {
    if (s + 4 > src.length) fail('truncated block header');
    const header = src.readUInt32LE(s);
    s += 4;
    if (header === 0) break;
    const size = header & ~BLOCK_UNCOMPRESSED & 0x7fffffff;
    const end = s + size;
    if (size > maxBlock || end > src.length) fail('block larger than its frame');
    if ((flg & FLG_BLOCK_CHECKSUM) !== 0) {
      if (end + 4 > src.length || xxh32(src, s, end) !== src.readUInt32LE(end)) fail('block checksum mismatch');
    }
    if ((header & BLOCK_UNCOMPRESSED) !== 0) {
      parts.push(src.subarray(s, end));
    } else {
      const out = Buffer.allocUnsafe(maxBlock);
      parts.push(out.subarray(0, decompressBlock(src, s, end, out)));
    }
    s = end + ((flg & FLG_BLOCK_CHECKSUM) !== 0 ? 4 : 0);
  }
  const content = Buffer.concat(parts);
  if ((flg & FLG_CONTENT_CHECKSUM) !== 0) {
    if (s + 4 > src.length || xxh32(content) !== src.readUInt32LE(s)) fail('content checksum mismatch');
  }
  return content;
}

export function lz4Compress(src: Buffer): Buffer {
  const blockSize = 1 << 16;
  const table = new Int32Array(1 << 12);
  const scratch = Buffer.allocUnsafe(blockSize + Math.ceil(blockSize / 255) + 16);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(7);
  header.writeUInt32LE(MAGIC, 0);
  header[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENT;
  header[5] = BD_64KB;
  header[6] = (xxh32(header, 4, 6) >>> 8) & 0xff;
  parts.push(header);
  for (let start = 0; start < src.length; start += blockSize) {
    const end = Math.min(src.length, start + blockSize);
    const n = compressBlock(src, start, end, scratch, table);
    const size = Buffer.allocUnsafe(4);
    if (n < end - start) {
      size.writeUInt32LE(n, 0);
      parts.push(size, Buffer.from(scratch.subarray(0, n)));
    } else {
      size.writeUInt32LE((BLOCK_UNCOMPRESSED | (end - start)) >>> 0, 0);
      parts.push(size, src.subarray(start, end));
    }
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}
