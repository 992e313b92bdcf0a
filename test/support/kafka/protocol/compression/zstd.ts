// Zstandard. Node's zlib has zstd from Node 22.15 (so on Node 24, where the npm scripts run);
// it is used when present. On older Node the broker decodes with fzstd (pure JS) and writes
// stored frames (raw blocks): valid zstd that every decoder reads, just not smaller.
import zlib from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';
import { CompressionError } from './errors.ts';

interface ZstdZlib {
  zstdCompressSync?: (b: Buffer) => Buffer;
  zstdDecompressSync?: (b: Buffer) => Buffer;
}

const native = zlib as unknown as ZstdZlib;

/** True when this Node's zlib has zstd built in. */
export const zstdBuiltIn = typeof native.zstdCompressSync === 'function' && typeof native.zstdDecompressSync === 'function';

const MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;

/** A single-segment zstd frame of raw blocks with the content size in the header. */
export function zstdStoredFrame(src: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt32LE(MAGIC, 0);
  head[4] = 0xa0; // frame content size in 4 bytes, single segment, no checksum, no dictionary
  head.writeUInt32LE(src.length, 5);
  const parts: Buffer[] = [head];
  let start = 0;
  do {
    const end = Math.min(src.length, start + MAX_BLOCK);
    const last = end === src.length ? 1 : 0;
    const blockHeader = ((end - start) << 3) | last; // block type 0: raw
    parts.push(Buffer.from([blockHeader & 0xff, (blockHeader >>> 8) & 0xff, (blockHeader >>> 16) & 0xff]), src.subarray(start, end));
    start = end;
  } while (start < src.length);
  return Buffer.concat(parts);
}

/** The pure-JS decoder, used when zlib has no zstd (exported so tests cover it on any Node). */
export function zstdDecompressPortable(src: Buffer): Buffer {
  const out = fzstdDecompress(src);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export function zstdDecompress(src: Buffer): Buffer {
  try {
    return native.zstdDecompressSync !== undefined ? native.zstdDecompressSync(src) : zstdDecompressPortable(src);
  } catch (err) {
    throw new CompressionError(`invalid zstd frame: ${(err as Error).message}`);
  }
}

export function zstdCompress(src: Buffer): Buffer {
  return native.zstdCompressSync !== undefined ? native.zstdCompressSync(src) : zstdStoredFrame(src);
}
