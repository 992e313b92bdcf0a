/**
 * The identity a key has inside Map-based state tables, and the way back to the key.
 *
 * Strings, numbers, bigints and booleans are their own identity: a Map tells `5n` from "5n"
 * and treats 0 and -0 as one key, as the key hash does. Composite (array) keys become a
 * string, since equal arrays must collide: a marker character, then JSON with bigints
 * written as {"n": "digits"}, which no element of a key can be (keys hold no objects), so
 * [5n] and ["5n"] stay apart and every identity turns back into its key. A string key that
 * happens to begin with the marker is escaped with a second marker character, so it can
 * never collide with a composite key.
 */
import type { KeyValue } from './key-group.ts';

export type KeyId = string | number | bigint | boolean;

const MARK = '\u0000';
const COMPOSITE = `${MARK}c`;
const ESCAPED = `${MARK}s`;

function encodeElement(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? { n: v.toString() } : v;
}

function decodeElement(_k: string, v: unknown): unknown {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? BigInt((v as { n: string }).n) : v;
}

export function keyIdentity(key: KeyValue): KeyId {
  if (typeof key === 'string') return key.length > 0 && key.charCodeAt(0) === 0 ? ESCAPED + key : key;
  if (!Array.isArray(key)) return key as KeyId;
  return COMPOSITE + JSON.stringify(key, encodeElement);
}

export function keyFromIdentity(id: KeyId): KeyValue {
  if (typeof id !== 'string' || id.length === 0 || id.charCodeAt(0) !== 0) return id;
  if (id.startsWith(ESCAPED)) return id.slice(ESCAPED.length);
  return JSON.parse(id.slice(COMPOSITE.length), decodeElement) as KeyValue;
}

/**
 * A key with its identity and key group, as timers and window slices remember it.
 * `keyGroup` is -1 where nobody needed it yet (the heap backend computes it lazily).
 */
export interface KeyRef {
  readonly key: KeyValue;
  readonly id: KeyId;
  readonly keyGroup: number;
}
