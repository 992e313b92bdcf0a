/**
 * The file with one subtask's keyed state in a checkpoint: per operator, the canonical
 * encoded state of each key group it held (state/snapshot/keyed-state-snapshot.ts).
 */
import { WeirError } from '../../errors/index.ts';
import type { KeyedStateSnapshot } from '../state/snapshot/keyed-state-snapshot.ts';
import { frameValue, unframeValue } from './storage/framed-value.ts';

const MAGIC = 'WEIRKEYS';

export function encodeKeyedStateFile(byOperator: ReadonlyMap<string, KeyedStateSnapshot>): Uint8Array {
  return frameValue(MAGIC, [...byOperator].map(([id, s]) => [id, s.maxParallelism, [...s.keyGroups]]));
}

export function decodeKeyedStateFile(bytes: Uint8Array, where: string): Map<string, KeyedStateSnapshot> {
  const framed = unframeValue(MAGIC, bytes);
  if ('problem' in framed) throw new WeirError('CORRUPT_CHECKPOINT', `${where} is not a readable keyed state file: ${framed.problem}`, false);
  const out = new Map<string, KeyedStateSnapshot>();
  for (const [id, maxParallelism, groups] of framed.value as [string, number, [number, Uint8Array][]][]) {
    out.set(id, { maxParallelism, keyGroups: new Map(groups) });
  }
  return out;
}
