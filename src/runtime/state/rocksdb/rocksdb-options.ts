/**
 * The RocksDB backend's options, with Flink's keys where Flink has them. Memory is split
 * as Flink splits managed memory: write buffers get a share, and the rest bounds what the
 * backend keeps on the JavaScript heap (the cache of hot keys). rocksdb-native sets a
 * block cache on or off but not its capacity, so the block cache keeps RocksDB's default.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WeirError } from '../../../errors/index.ts';
import { parseSize } from '../../config/duration.ts';

export type TimerServiceFactory = 'ROCKSDB' | 'HEAP';

export const ROCKSDB_METRICS = ['estimate-num-keys', 'estimate-live-data-size', 'block-cache-usage', 'compaction-pending'] as const;
export type RocksDbMetric = (typeof ROCKSDB_METRICS)[number];

export interface RocksDbOptions {
  /** Parent of each subtask attempt's own directory. */
  readonly localDir: string;
  /** Keys whose state the backend keeps in memory between batches. */
  readonly cacheKeys: number;
  readonly writeBufferSize: number;
  readonly writeBufferCount: number;
  readonly timerService: TimerServiceFactory;
  readonly metrics: readonly RocksDbMetric[];
}

const P = 'state.backend.rocksdb.';
/** Flink's default managed memory per slot when nothing is configured. */
const DEFAULT_MEMORY = 256 * 1024 * 1024;
/** Flink's default: half of the memory goes to write buffers. */
const WRITE_BUFFER_RATIO = 0.5;
/** What one cached key costs on the heap, roughly (its entries, the cache's maps, the key). */
const BYTES_PER_CACHED_KEY = 512;

function bool(config: ReadonlyMap<string, string>, key: string, fallback: boolean): boolean {
  const raw = config.get(key);
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === 'false') return v === 'true';
  throw new WeirError('INVALID_CONFIGURATION', `${key}: "${raw}" is not true or false`, false);
}

function positive(config: ReadonlyMap<string, string>, key: string): number | undefined {
  const raw = config.get(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new WeirError('INVALID_CONFIGURATION', `${key}: "${raw}" is not a positive whole number`, false);
  return n;
}

export function rocksDbOptions(config: ReadonlyMap<string, string>): RocksDbOptions {
  const managed = bool(config, `${P}memory.managed`, true);
  const fixed = config.get(`${P}memory.fixed-per-slot`);
  const managedSize = config.get('taskmanager.memory.managed.size');
  // As Flink: fixed-per-slot wins over managed memory; without either, RocksDB's own defaults.
  const budget = fixed !== undefined ? parseSize(fixed, `${P}memory.fixed-per-slot`) : managed ? (managedSize !== undefined ? parseSize(managedSize, 'taskmanager.memory.managed.size') : DEFAULT_MEMORY) : undefined;
  const writeBufferCount = positive(config, `${P}writebuffer.count`) ?? 2;
  const explicitWriteBuffer = config.get(`${P}writebuffer.size`);
  const writeBufferSize =
    explicitWriteBuffer !== undefined ? parseSize(explicitWriteBuffer, `${P}writebuffer.size`) : budget !== undefined ? Math.max(1 << 20, Math.floor((budget * WRITE_BUFFER_RATIO) / writeBufferCount)) : 64 << 20;
  const cacheKeys = positive(config, `${P}cache.max-keys`) ?? Math.max(1024, Math.floor(((budget ?? DEFAULT_MEMORY) * (1 - WRITE_BUFFER_RATIO)) / BYTES_PER_CACHED_KEY));
  const timerRaw = (config.get(`${P}timer-service.factory`) ?? 'ROCKSDB').trim().toUpperCase();
  if (timerRaw !== 'ROCKSDB' && timerRaw !== 'HEAP') {
    throw new WeirError('INVALID_CONFIGURATION', `${P}timer-service.factory: "${timerRaw}" is not a timer service; use ROCKSDB or HEAP`, false);
  }
  return {
    localDir: config.get(`${P}localdir`) ?? join(tmpdir(), 'weir-rocksdb'),
    cacheKeys,
    writeBufferSize,
    writeBufferCount,
    timerService: timerRaw,
    metrics: ROCKSDB_METRICS.filter((m) => bool(config, `${P}metrics.${m}`, false)),
  };
}
