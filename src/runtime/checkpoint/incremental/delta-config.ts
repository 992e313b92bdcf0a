/**
 * Incremental checkpoints with deltas (`state.backend.incremental.delta`, with
 * `state.backend.incremental: true`): backends record what changes between checkpoints and a
 * key group that changed is uploaded as a delta on top of its last full encoding, until its
 * chain grows past a share of that encoding or a length, when it is written in full again.
 */
import { WeirError } from '../../../errors/index.ts';
import { incrementalCheckpoints } from '../../state/state-backend-factory.ts';

export const DELTA_KEYS = {
  enabled: 'state.backend.incremental.delta',
  maxChainLength: 'state.backend.incremental.delta.max-chain-length',
  maxChainRatio: 'state.backend.incremental.delta.max-chain-ratio',
} as const;

export interface DeltaPolicy {
  /** Deltas a key group's chain holds at most before it is written in full. */
  readonly maxChainLength: number;
  /** The chain's delta bytes may reach this share of its full encoding's bytes, not more. */
  readonly maxChainRatio: number;
}

export const DEFAULT_DELTA_POLICY: DeltaPolicy = { maxChainLength: 10, maxChainRatio: 0.5 };

function invalid(key: string, raw: string, what: string): WeirError {
  return new WeirError('INVALID_CONFIGURATION', `${key}: "${raw}" is not ${what}`, false);
}

/** The policy when checkpoints are incremental with deltas (the default with incremental checkpoints), else undefined (key groups are then uploaded whole). */
export function deltaPolicy(config: ReadonlyMap<string, string>): DeltaPolicy | undefined {
  if (!incrementalCheckpoints(config)) return undefined;
  const raw = config.get(DELTA_KEYS.enabled)?.trim().toLowerCase();
  if (raw !== undefined && raw !== 'true' && raw !== 'false') throw invalid(DELTA_KEYS.enabled, raw, 'true or false');
  if (raw === 'false') return undefined;
  const rawLength = config.get(DELTA_KEYS.maxChainLength);
  const maxChainLength = rawLength === undefined ? DEFAULT_DELTA_POLICY.maxChainLength : Number(rawLength);
  if (!Number.isInteger(maxChainLength) || maxChainLength < 1) throw invalid(DELTA_KEYS.maxChainLength, rawLength!, 'a whole number >= 1');
  const rawRatio = config.get(DELTA_KEYS.maxChainRatio);
  const maxChainRatio = rawRatio === undefined ? DEFAULT_DELTA_POLICY.maxChainRatio : Number(rawRatio);
  if (!Number.isFinite(maxChainRatio) || maxChainRatio <= 0) throw invalid(DELTA_KEYS.maxChainRatio, rawRatio!, 'a number above 0');
  return { maxChainLength, maxChainRatio };
}
