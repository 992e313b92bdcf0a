/**
 * What changed in one key group between two barriers (the delta of incremental checkpoints,
 * in the spirit of Flink's changelog backend): per state, the entries written since, with
 * their values at the later barrier, and the entries removed since; per timer queue whose
 * timers in the group changed, the group's whole timer list. An entry is what the canonical
 * encoding holds as one: (state, key, namespace), a list state's whole list, a map state's
 * whole map, or for a map changed entry by entry, just those map entries. Applying the changes to the group's state at the earlier barrier gives its
 * state at the later one, so a restore reads a full encoding (the base) and applies the
 * deltas after it in order.
 */
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { BufferReader } from '../../network/serialization/buffer-reader.ts';
import { BufferWriter } from '../../network/serialization/buffer-writer.ts';
import { ValueDecoder } from '../../network/serialization/value-decoder.ts';
import { ValueEncoder } from '../../network/serialization/value-encoder.ts';
import type { KeyValue } from '../key-group.ts';
import { keyIdentity } from '../key-identity.ts';
import type { KeyId } from '../key-identity.ts';
import type { KeyGroupState, StateEntries, TimerEntries } from './keyed-state-snapshot.ts';

/** First byte of one barrier's changes; apart from the full encoding's versions, so neither is read as the other. */
const CHANGES_VERSION = 0x81;
/** First byte of a chain element: the changes of one or more barriers in a row. */
const DELTA_VERSION = 0x82;

export interface StateChanges {
  readonly name: string;
  readonly kind: StateEntries['kind'];
  readonly ttl: boolean;
  /** Entries written since the earlier barrier, with their values at the later one. */
  readonly puts: StateEntries['entries'];
  /** Entries removed since, that may have existed at the earlier barrier. */
  readonly deletes: [key: KeyValue, namespace: string][];
  /** Map state: single map entries written since, with their values, of entries not written whole. */
  readonly mapPuts?: [key: KeyValue, namespace: string, mapKey: unknown, value: unknown][];
  /** Map state: single map entries removed since, of entries not written whole. */
  readonly mapDeletes?: [key: KeyValue, namespace: string, mapKey: unknown][];
}

export interface KeyGroupChanges {
  readonly states: StateChanges[];
  /** The group's whole timer list of each queue whose timers in it changed (possibly empty). */
  readonly timers: TimerEntries[];
}

function corrupt(keyGroup: number, detail: string): WeirError {
  return new WeirError('CORRUPT_STATE_SNAPSHOT', `the changes of key group ${keyGroup} cannot be read: ${detail}; restore from another checkpoint or savepoint`, false);
}

function encodeWith(version: number, value: unknown): Uint8Array {
  const w = new BufferWriter(256);
  w.u8(version);
  const encoder = new ValueEncoder();
  encoder.beginBatch();
  encoder.encode(w, value, 0);
  return Uint8Array.prototype.slice.call(w.buf, 0, w.pos);
}

function decodeWith(version: number, bytes: Uint8Array, keyGroup: number): unknown {
  if (bytes.length === 0 || bytes[0] !== version) throw corrupt(keyGroup, `unknown format version ${bytes[0]}`);
  try {
    const r = new BufferReader(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.length - 1));
    const decoder = new ValueDecoder();
    decoder.beginBatch();
    const raw = decoder.decode(r, 0);
    if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the changes`);
    return raw;
  } catch (err) {
    throw corrupt(keyGroup, errorMessage(err));
  }
}

/** One barrier's changes of one key group. */
export function encodeKeyGroupChanges(c: KeyGroupChanges): Uint8Array {
  return encodeWith(CHANGES_VERSION, [c.states.map((s) => [s.name, s.kind, s.ttl, s.puts, s.deletes, s.mapPuts ?? [], s.mapDeletes ?? []]), c.timers.map((t) => [t.service, t.domain, t.timers])]);
}

export function decodeKeyGroupChanges(bytes: Uint8Array, keyGroup: number): KeyGroupChanges {
  const raw = decodeWith(CHANGES_VERSION, bytes, keyGroup);
  if (!Array.isArray(raw) || raw.length !== 2 || !Array.isArray(raw[0]) || !Array.isArray(raw[1])) throw corrupt(keyGroup, 'not key group changes');
  const [states, timers] = raw as [unknown[][], unknown[][]];
  return {
    states: states.map(([name, kind, ttl, puts, deletes, mapPuts, mapDeletes]) => {
      const patches = (mapPuts as unknown[]).length > 0 || (mapDeletes as unknown[]).length > 0 ? { mapPuts, mapDeletes } : {};
      return { name, kind, ttl, puts, deletes, ...patches } as StateChanges;
    }),
    timers: timers.map(([service, domain, list]) => ({ service, domain, timers: list }) as TimerEntries),
  };
}

/** A chain element as a shared file holds it: the changes of consecutive barriers, oldest first. */
export function encodeDelta(changes: readonly Uint8Array[]): Uint8Array {
  return encodeWith(DELTA_VERSION, changes);
}

export function decodeDelta(bytes: Uint8Array, keyGroup: number): KeyGroupChanges[] {
  const raw = decodeWith(DELTA_VERSION, bytes, keyGroup);
  if (!Array.isArray(raw) || !raw.every((c) => c instanceof Uint8Array)) throw corrupt(keyGroup, 'not a delta');
  return raw.map((c: Uint8Array) => decodeKeyGroupChanges(c, keyGroup));
}

/** Whether stored bytes are a chain element rather than a full encoding. */
export function isDelta(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === DELTA_VERSION;
}

type Entry = StateEntries['entries'][number];

/** One state's entries with an index by (namespace, key), so changes apply in place. */
class EntryIndex {
  readonly entries: (Entry | undefined)[];
  private readonly at = new Map<string, Map<KeyId, number>>();

  constructor(entries: readonly Entry[]) {
    this.entries = [...entries];
    for (let i = 0; i < this.entries.length; i++) this.slot(this.entries[i]![1]).set(keyIdentity(this.entries[i]![0]), i);
  }

  private slot(ns: string): Map<KeyId, number> {
    let m = this.at.get(ns);
    if (!m) this.at.set(ns, (m = new Map()));
    return m;
  }

  put(e: Entry): void {
    const m = this.slot(e[1]);
    const id = keyIdentity(e[0]);
    const i = m.get(id);
    if (i !== undefined) this.entries[i] = e;
    else m.set(id, this.entries.push(e) - 1);
  }

  get(key: KeyValue, ns: string): Entry | undefined {
    const i = this.at.get(ns)?.get(keyIdentity(key));
    return i === undefined ? undefined : this.entries[i];
  }

  delete(key: KeyValue, ns: string): void {
    const m = this.at.get(ns);
    const id = keyIdentity(key);
    const i = m?.get(id);
    if (i === undefined) return;
    this.entries[i] = undefined;
    m!.delete(id);
  }
}

/**
 * The group's state after `changes`, applied in order to `base` (undefined: the group held
 * nothing); undefined when nothing is left. Entries keep their place; new ones go last.
 */
/** Maps made here by applying patches: changed in place, unlike those of the base or the changes, which may be the caller's. */
const patched = new WeakSet<Map<unknown, unknown>>();

/** The map of (key, namespace) to patch: a copy of the one there, or a new one. */
function ownMap(index: EntryIndex, key: KeyValue, ns: string): Map<unknown, unknown> {
  const e = index.get(key, ns);
  const before = e?.[2];
  if (before instanceof Map && patched.has(before)) return before as Map<unknown, unknown>;
  const m = new Map<unknown, unknown>(before instanceof Map ? (before as Map<unknown, unknown>) : []);
  patched.add(m);
  index.put([key, ns, m]);
  return m;
}

export function applyKeyGroupChanges(base: KeyGroupState | undefined, changes: readonly KeyGroupChanges[]): KeyGroupState | undefined {
  const states = new Map<string, { s: Omit<StateEntries, 'entries'>; index: EntryIndex }>();
  for (const s of base?.states ?? []) states.set(s.name, { s, index: new EntryIndex(s.entries) });
  const timers = new Map<string, TimerEntries>();
  for (const t of base?.timers ?? []) timers.set(`${t.service}/${t.domain}`, t);
  for (const c of changes) {
    for (const sc of c.states) {
      let st = states.get(sc.name);
      if (!st) states.set(sc.name, (st = { s: sc, index: new EntryIndex([]) }));
      for (const [key, ns] of sc.deletes) st.index.delete(key, ns);
      for (const e of sc.puts) st.index.put(e);
      for (const [key, ns, mapKey] of sc.mapDeletes ?? []) ownMap(st.index, key, ns).delete(mapKey);
      for (const [key, ns, mapKey, value] of sc.mapPuts ?? []) ownMap(st.index, key, ns).set(mapKey, value);
    }
    for (const t of c.timers) {
      const name = `${t.service}/${t.domain}`;
      if (t.timers.length === 0) timers.delete(name);
      else timers.set(name, t);
    }
  }
  const out: KeyGroupState = { states: [], timers: [...timers.values()] };
  for (const { s, index } of states.values()) {
    // A map whose last entry was removed by single removals is no entry (as in the backends).
    const entries = index.entries.filter((e): e is Entry => e !== undefined && !(e[2] instanceof Map && e[2].size === 0 && s.kind === 'map'));
    if (entries.length > 0) out.states.push({ name: s.name, kind: s.kind, ttl: s.ttl, entries });
  }
  return out.states.length === 0 && out.timers.length === 0 ? undefined : out;
}
