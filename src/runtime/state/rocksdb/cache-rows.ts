/**
 * The rows behind the RocksDB backend's cache of keys: reading keys into the cache (one
 * multi-get while every state holds only void-namespace cells, else one range read per key,
 * since a key's rows are contiguous) and turning the cache's changes into write operations.
 */
import { WeirError } from '../../../errors/index.ts';
import type { KeyValue } from '../key-group.ts';
import type { KeyId } from '../key-identity.ts';
import { VOID_NAMESPACE } from '../keyed-state-backend.ts';
import type { CachedKeys } from './cached-keys.ts';
import type { RocksCodec } from './rocks-keys.ts';
import { prefixEnd } from './rocks-keys.ts';
import type { RocksStore, WriteOp } from './rocks-store.ts';
import type { RocksTable } from './rocks-table.ts';
import type { WrittenKeysFilter } from './written-keys-filter.ts';

/** A key to read into the cache, with the prefix of its rows. */
export interface FreshKey {
  readonly id: KeyId;
  readonly key: KeyValue;
  readonly prefix: Buffer;
}

/** What the cache's reads and writes need of the backend. */
export interface CacheRowsHost {
  readonly codec: RocksCodec;
  readonly store: RocksStore;
  /** Every state with rows; the index is its state id. */
  readonly tables: readonly RocksTable[];
  readonly loaded: CachedKeys;
  /** Keys that may have rows (a Bloom filter): the others are not read. */
  readonly written: WrittenKeysFilter;
  /** The row prefix of a key not in the cache. */
  prefixOf(id: KeyId): Buffer;
}

/** Reads the rows of keys not cached into their tables; the keys are cached after. */
export async function readIntoCache(h: CacheRowsHost, all: readonly FreshKey[]): Promise<void> {
  const tables = h.tables;
  const fresh: FreshKey[] = [];
  for (const f of all) {
    if (tables.length > 0 && h.written.mayHave(f.prefix)) fresh.push(f);
    else h.loaded.add(f.id, f.prefix, false); // never written: nothing to read
  }
  if (fresh.length === 0) return;
  if (tables.every((t) => t.kind !== 'map' && !t.namespaced)) {
    const cells: Buffer[] = [];
    for (const f of fresh) for (const t of tables) cells.push(h.codec.cellKey(f.prefix, t.stateId, VOID_NAMESPACE));
    const values = await h.store.getAll(cells);
    let i = 0;
    for (const f of fresh) {
      for (const t of tables) {
        const v = values[i++];
        if (v !== null && v !== undefined) t.load(VOID_NAMESPACE, f.id, h.codec.decode(v));
      }
      h.loaded.add(f.id, f.prefix, true);
    }
    return;
  }
  const rows = await h.store.scanAll(fresh.map((f) => [f.prefix, prefixEnd(f.prefix)] as const));
  for (let k = 0; k < fresh.length; k++) {
    const f = fresh[k]!;
    let map: Map<unknown, unknown> | undefined;
    let mapCell: Buffer | undefined;
    for (const { key, value } of rows[k]!) {
      const p = h.codec.parse(key);
      const t = tables[p.stateId];
      if (t === undefined) throw new WeirError('INTERNAL', `RocksDB row of unknown state id ${p.stateId}`, false);
      if (t.kind !== 'map') {
        t.load(p.namespace, f.id, h.codec.decode(value));
        continue;
      }
      const cell = key.subarray(0, p.mapKeyStart);
      if (map === undefined || mapCell === undefined || !cell.equals(mapCell)) {
        map = new Map();
        mapCell = cell;
        t.load(p.namespace, f.id, map);
      }
      map.set(h.codec.decode(key, p.mapKeyStart), h.codec.decode(value));
    }
    h.loaded.add(f.id, f.prefix, true);
  }
}

/**
 * Appends one changed entry's write operations: the whole entry when `whole` is set (true:
 * the entry is new, it has no row), else the single map keys `mapKeys` of a map state's entry.
 */
export function appendEntryOps(h: CacheRowsHost, t: RocksTable, ns: string, id: KeyId, whole: boolean | undefined, mapKeys: ReadonlySet<unknown> | undefined, ops: WriteOp[]): void {
  const entry = t.cached(ns, id);
  if (whole === true && entry === undefined) return; // made and removed since the last batch: no row
  const codec = h.codec;
  // The filter learns a key once while it is cached (hashing its prefix per row costs).
  const cachedKey = h.loaded.get(id);
  const prefix = cachedKey?.prefix ?? h.prefixOf(id);
  if (cachedKey?.inFilter !== true) {
    h.written.add(prefix);
    if (cachedKey !== undefined) cachedKey.inFilter = true;
  }
  const cell = codec.cellKey(prefix, t.stateId, ns);
  if (whole === undefined) {
    const map = entry as Map<unknown, unknown> | undefined;
    for (const mk of mapKeys ?? []) {
      const row = codec.mapRowKey(cell, mk);
      if (map !== undefined && map.has(mk)) ops.push(['put', row, codec.value(map.get(mk))]);
      else ops.push(['delete', row]);
    }
  } else if (t.kind === 'map') {
    // A new, removed or replaced map: its rows go and the map is written whole.
    ops.push(['deleteRange', cell, prefixEnd(cell)]);
    if (entry !== undefined) for (const [mk, v] of entry as Map<unknown, unknown>) ops.push(['put', codec.mapRowKey(cell, mk), codec.value(v)]);
  } else if (entry === undefined) ops.push(['delete', cell]);
  else ops.push(['put', cell, codec.value(entry)]);
}
