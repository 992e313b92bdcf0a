/**
 * Checkpointing settings with Flink's keys and defaults. Checkpointing is off unless
 * `execution.checkpointing.interval` is set (in the configuration or by the job's
 * `env.enableCheckpointing`).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WeirError } from '../../errors/index.ts';
import { parseDuration } from '../config/duration.ts';
import { normalizeLocation } from './storage/storage-location.ts';

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
export type CheckpointRetention = 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';

export interface CheckpointConfig {
  /** Milliseconds between checkpoints; undefined: checkpointing is off. */
  readonly intervalMs: number | undefined;
  readonly mode: CheckpointingMode;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrent: number;
  /** Failed checkpoints in a row the job tolerates before it fails over. */
  readonly tolerableFailures: number;
  readonly retention: CheckpointRetention;
  readonly numRetained: number;
  /** Where checkpoints go: `<dir>/<jobId>/chk-<n>/`. */
  readonly dir: string;
  /** Where savepoints go when a request names no directory; undefined: a request must name one. */
  readonly savepointDir: string | undefined;
}

export const CHECKPOINT_KEYS = {
  interval: 'execution.checkpointing.interval',
  mode: 'execution.checkpointing.mode',
  timeout: 'execution.checkpointing.timeout',
  minPause: 'execution.checkpointing.min-pause',
  maxConcurrent: 'execution.checkpointing.max-concurrent-checkpoints',
  tolerable: 'execution.checkpointing.tolerable-failed-checkpoints',
  retention: 'execution.checkpointing.externalized-checkpoint-retention',
  numRetained: 'state.checkpoints.num-retained',
  dir: 'state.checkpoints.dir',
  savepointDir: 'state.savepoints.dir',
} as const;

function invalid(key: string, raw: string, what: string): WeirError {
  return new WeirError('INVALID_CONFIGURATION', `${key}: "${raw}" is not ${what}`, false);
}

function wholeNumber(config: ReadonlyMap<string, string>, key: string, fallback: number, min: number): number {
  const raw = config.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw invalid(key, raw, `a whole number >= ${min}`);
  return n;
}

function duration(config: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const raw = config.get(key);
  return raw === undefined ? fallback : parseDuration(raw, key);
}

/** A plain path or `file://` URI as a path; an `s3://` URI as it is; other schemes are refused. */
export function storagePath(key: string, raw: string): string {
  return normalizeLocation(raw, key);
}

export function parseCheckpointConfig(config: ReadonlyMap<string, string>): CheckpointConfig {
  const rawInterval = config.get(CHECKPOINT_KEYS.interval);
  const intervalMs = rawInterval === undefined ? undefined : parseDuration(rawInterval, CHECKPOINT_KEYS.interval);
  if (intervalMs !== undefined && intervalMs < 10) throw invalid(CHECKPOINT_KEYS.interval, rawInterval!, 'an interval of at least 10ms');
  const mode = (config.get(CHECKPOINT_KEYS.mode) ?? 'EXACTLY_ONCE').toUpperCase();
  if (mode !== 'EXACTLY_ONCE' && mode !== 'AT_LEAST_ONCE') throw invalid(CHECKPOINT_KEYS.mode, mode, 'EXACTLY_ONCE or AT_LEAST_ONCE');
  const retention = (config.get(CHECKPOINT_KEYS.retention) ?? 'NO_EXTERNALIZED_CHECKPOINTS').toUpperCase();
  if (!['RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION', 'NO_EXTERNALIZED_CHECKPOINTS'].includes(retention)) {
    throw invalid(CHECKPOINT_KEYS.retention, retention, 'RETAIN_ON_CANCELLATION, DELETE_ON_CANCELLATION or NO_EXTERNALIZED_CHECKPOINTS');
  }
  const timeoutMs = duration(config, CHECKPOINT_KEYS.timeout, 600_000);
  if (timeoutMs < 1) throw invalid(CHECKPOINT_KEYS.timeout, config.get(CHECKPOINT_KEYS.timeout)!, 'a timeout above zero');
  const rawDir = config.get(CHECKPOINT_KEYS.dir) ?? config.get('execution.checkpointing.dir');
  const rawSavepoints = config.get(CHECKPOINT_KEYS.savepointDir) ?? config.get('execution.checkpointing.savepoint-dir');
  return {
    intervalMs,
    mode,
    timeoutMs,
    minPauseMs: duration(config, CHECKPOINT_KEYS.minPause, 0),
    maxConcurrent: wholeNumber(config, CHECKPOINT_KEYS.maxConcurrent, 1, 1),
    tolerableFailures: wholeNumber(config, CHECKPOINT_KEYS.tolerable, 0, 0),
    // As Flink: without externalized retention, checkpoints go with a cancelled job.
    retention: retention === 'RETAIN_ON_CANCELLATION' ? 'RETAIN_ON_CANCELLATION' : 'DELETE_ON_CANCELLATION',
    numRetained: wholeNumber(config, CHECKPOINT_KEYS.numRetained, 1, 1),
    // Flink keeps checkpoints in the JobManager's memory without a directory; Weir's tasks
    // write their own state, so a local directory stands in for it.
    dir: rawDir === undefined ? join(tmpdir(), 'weir-checkpoints') : storagePath(CHECKPOINT_KEYS.dir, rawDir),
    savepointDir: rawSavepoints === undefined ? undefined : storagePath(CHECKPOINT_KEYS.savepointDir, rawSavepoints),
  };
}
