// The record-batch codecs by Kafka's attribute id: none, gzip (node:zlib), snappy, lz4, zstd.
import { gunzipSync, gzipSync } from 'node:zlib';
import { CompressionError } from './errors.ts';
import { lz4Compress, lz4Decompress } from './lz4.ts';
import { snappyCompress, snappyDecompress } from './snappy.ts';
import { zstdCompress, zstdDecompress } from './zstd.ts';

export { CompressionError } from './errors.ts';

export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

/** compression.type values (topic config) to codec ids; 'producer' keeps the producer's. */
export const COMPRESSION_BY_NAME: Readonly<Record<string, number>> = { uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

function gunzip(src: Buffer): Buffer {
  try {
    return gunzipSync(src);
  } catch (err) {
    throw new CompressionError(`invalid gzip data: ${(err as Error).message}`);
  }
}

export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gunzip(data);
    case Compression.SNAPPY:
      return snappyDecompress(data);
    case Compression.LZ4:
      return lz4Decompress(data);
    case Compression.ZSTD:
      return zstdDecompress(data);
    default:
      throw new CompressionError(`unknown compression codec ${codec}`);
  }
}

export function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gzipSync(data);
    case Compression.SNAPPY:
      return snappyCompress(data);
    case Compression.LZ4:
      return lz4Compress(data);
    case Compression.ZSTD:
      return zstdCompress(data);
    default:
      throw new CompressionError(`unknown compression codec ${codec}`);
  }
}
