/**
 * Keyed state in its canonical form: per key group, every state's [key, namespace, value]
 * entries and every timer, encoded with the record value encoding (so state values follow
 * the rules records do). Every backend writes and reads this form, which is what lets a
 * job restore at another parallelism (a subtask takes the key groups it now owns from the
 * snapshots of all the subtasks that held them) and a savepoint restore into either backend.
 * Values of states with TTL keep their stamps as {v, t}.
 */
import type { StateKind } from '../../../api/state.ts';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { BufferReader } from '../../network/serialization/buffer-reader.ts';
import { BufferWriter } from '../../network/serialization/buffer-writer.ts';
import { ValueDecoder } from '../../network/serialization/value-decoder.ts';
import { ValueEncoder } from '../../network/serialization/value-encoder.ts';
import type { KeyGroupRange, KeyValue } from '../key-group.ts';
import type { TimerDomain } from '../keyed-state-backend.ts';

/** Bumped when the layout below changes; a reader refuses versions it does not know. */
const FORMAT_VERSION = 1;

export interface KeyedStateSnapshot {
  readonly maxParallelism: number;
  /** The encoded KeyGroupState of each key group that holds state or timers. */
  readonly keyGroups: ReadonlyMap<number, Uint8Array>;
  /** From a backend that tracks changes: what changed since its previous snapshot. */
  readonly changes?: SnapshotChanges;
}

/**
 * The changes of every key group since the backend's previous snapshot
 * (key-group-changes.ts), for incremental checkpoints that upload deltas. A run of them
 * is complete only within one backend and without a gap in `seq`.
 */
export interface SnapshotChanges {
  /** The backend instance that recorded them. */
  readonly backend: string;
  /** The backend's snapshots so far, this one included: these are the changes since snapshot seq - 1 (0: since it was created or restored). */
  readonly seq: number;
  /** The encoded KeyGroupChanges of each key group that changed. */
  readonly keyGroups: ReadonlyMap<number, Uint8Array>;
}

export interface StateEntries {
  readonly name: string;
  readonly kind: StateKind;
  /** Whether values carry TTL stamps ({v, t}). */
  readonly ttl: boolean;
  readonly entries: [key: KeyValue, namespace: string, value: unknown][];
}

export interface TimerEntries {
  readonly service: string;
  readonly domain: TimerDomain;
  readonly timers: [key: KeyValue, namespace: string, time: number][];
}

export interface KeyGroupState {
  readonly states: StateEntries[];
  readonly timers: TimerEntries[];
}

export function encodeKeyGroupState(s: KeyGroupState): Uint8Array {
  const w = new BufferWriter(1024);
  w.u8(FORMAT_VERSION);
  const encoder = new ValueEncoder();
  encoder.beginBatch();
  encoder.encode(
    w,
    [s.states.map((e) => [e.name, e.kind, e.ttl, e.entries]), s.timers.map((t) => [t.service, t.domain, t.timers])],
    0,
  );
  return Uint8Array.prototype.slice.call(w.buf, 0, w.pos);
}

function corrupt(keyGroup: number, detail: string): WeirError {
  return new WeirError('CORRUPT_STATE_SNAPSHOT', `the snapshot of key group ${keyGroup} cannot be read: ${detail}; restore from another checkpoint or savepoint`, false);
}

export function decodeKeyGroupState(bytes: Uint8Array, keyGroup: number): KeyGroupState {
  if (bytes.length === 0 || bytes[0] !== FORMAT_VERSION) throw corrupt(keyGroup, `unknown format version ${bytes[0]}`);
  let raw: unknown;
  try {
    const r = new BufferReader(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.length - 1));
    const decoder = new ValueDecoder();
    decoder.beginBatch();
    raw = decoder.decode(r, 0);
    if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the state`);
  } catch (err) {
    throw corrupt(keyGroup, errorMessage(err));
  }
  if (!Array.isArray(raw) || raw.length !== 2 || !Array.isArray(raw[0]) || !Array.isArray(raw[1])) throw corrupt(keyGroup, 'not a key group state');
  const [states, timers] = raw as [unknown[][], unknown[][]];
  return {
    states: states.map(([name, kind, ttl, entries]) => ({ name, kind, ttl, entries }) as StateEntries),
    timers: timers.map(([service, domain, list]) => ({ service, domain, timers: list }) as TimerEntries),
  };
}

/** The key groups of `range` found in `snapshots`, decoded; refuses snapshots of another maxParallelism. */
export function keyGroupsIn(snapshots: readonly KeyedStateSnapshot[], range: KeyGroupRange, maxParallelism: number): Map<number, KeyGroupState> {
  const out = new Map<number, KeyGroupState>();
  for (const s of snapshots) {
    if (s.maxParallelism !== maxParallelism) {
      throw new WeirError(
        'STATE_RESTORE_MISMATCH',
        `the state was written with maxParallelism ${s.maxParallelism} but the operator now has ${maxParallelism}; keyed state can only be restored with the same maxParallelism (set it back, or start without this state)`,
        false,
      );
    }
    for (const [kg, bytes] of s.keyGroups) {
      if (!range.contains(kg)) continue;
      if (out.has(kg)) throw corrupt(kg, 'two snapshots hold this key group');
      out.set(kg, decodeKeyGroupState(bytes, kg));
    }
  }
  return out;
}
