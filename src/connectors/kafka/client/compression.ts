/** Kafka's compression.type names to kafkajs codes (snappy, lz4 and zstd need a codec registered with kafkajs). */
import { CompressionTypes } from 'kafkajs';
import { WeirError } from '../../../errors/index.ts';
import type { Compression } from './types.ts';

const CODES: Record<Compression, number> = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };

export function compressionCode(c: Compression): number {
  return CODES[c];
}

export function parseCompression(raw: unknown): Compression {
  const v = String(raw ?? 'none').toLowerCase();
  if (!(v in CODES)) throw new WeirError('KAFKA_INVALID_CONFIGURATION', `compression.type must be one of ${Object.keys(CODES).join(', ')}, got "${v}"`, false);
  if (v !== 'none' && v !== 'gzip') throw new WeirError('KAFKA_INVALID_CONFIGURATION', `compression.type ${v} is not available with the current Kafka client (kafkajs has gzip built in); use gzip or none`, false);
  return v as Compression;
}
