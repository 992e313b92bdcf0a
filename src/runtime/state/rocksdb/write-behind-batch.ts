/**
 * One write-behind of the RocksDB backend's cache: the changes the cache held when it was
 * taken (at a barrier, or when the cache needed room), encoded into write operations a
 * chunk at a time when the store gets to it, not at the moment they were taken. Taking them
 * is a swap of each table's change sets, so a checkpoint's synchronous part stays short
 * however many entries changed, and the cache can hold many changes: entries made and
 * removed between two batches (windows' short-lived slices) are never written at all.
 *
 * Until an entry is encoded it is read from the cache, so the cache must not change it
 * unseen: every table change, and an eviction, asks the batch to encode the entry first
 * (`keep`), as at the moment it was taken. Operations encoded early go in the first chunk;
 * a row is in one batch at most once, so their order within it does not matter.
 */
import type { KeyId } from '../key-identity.ts';
import { appendEntryOps } from './cache-rows.ts';
import type { CacheRowsHost } from './cache-rows.ts';
import type { WriteOp } from './rocks-store.ts';
import type { DirtyEntries, DirtyMapKeys, FlushingTable, RocksTable } from './rocks-table.ts';

/** Entries encoded per chunk: one chunk runs between two turns of the task. */
export const CHUNK_ENTRIES = 8192;

interface TakenTable {
  readonly table: RocksTable;
  readonly whole: DirtyEntries;
  readonly mapKeys: DirtyMapKeys;
}

export class WriteBehindBatch implements FlushingTable {
  /** Operations ready to write: the ones given, then entries encoded before they changed. */
  private ready: WriteOp[];
  private readonly taken: TakenTable[] = [];

  /** Takes every table's changes (the tables record anew); `ops` are written first (restored rows, timer rows). */
  constructor(
    private readonly host: CacheRowsHost,
    ops: WriteOp[],
  ) {
    this.ready = ops;
    for (const table of host.tables) {
      if (!table.changed) continue;
      const [whole, mapKeys] = table.takeWrites();
      this.taken.push({ table, whole, mapKeys });
      table.flushing = this;
    }
  }

  /** Whether there is nothing to write. */
  get empty(): boolean {
    return this.ready.length === 0 && this.taken.length === 0;
  }

  keep(table: RocksTable, namespace: string, key: KeyId): void {
    const t = this.taken.find((x) => x.table === table);
    if (t === undefined) return;
    const byKey = t.mapKeys.get(namespace);
    const mapKeys = byKey?.get(key);
    const ids = t.whole.get(namespace);
    const whole = ids?.get(key);
    if (whole === undefined && mapKeys === undefined) return;
    // A whole-map rewrite supersedes single map keys of the same entry.
    appendEntryOps(this.host, table, namespace, key, whole, whole === undefined ? mapKeys : undefined, this.ready);
    ids?.delete(key);
    byKey?.delete(key);
  }

  /** The next chunk of operations: the ready ones and up to `max` more entries; empty once all are written. */
  nextChunk(max = CHUNK_ENTRIES): WriteOp[] {
    const ops = this.ready;
    this.ready = [];
    let n = 0;
    while (this.taken.length > 0) {
      const t = this.taken[0]!;
      n += this.encode(t, max - n, ops);
      if (n >= max) return ops;
      t.table.flushing = undefined;
      this.taken.shift();
    }
    return ops;
  }

  /** Encodes the rest at once: a newer batch is taking the tables over. */
  finish(): void {
    const ops = this.nextChunk(Infinity);
    this.ready = ops;
  }

  /** Encodes up to `max` entries of one table (single map keys first); returns how many. */
  private encode(t: TakenTable, max: number, ops: WriteOp[]): number {
    let n = 0;
    for (const [ns, byKey] of t.mapKeys) {
      const whole = t.whole.get(ns);
      for (const [id, mapKeys] of byKey) {
        if (n >= max) return n;
        byKey.delete(id);
        if (whole?.has(id)) continue;
        appendEntryOps(this.host, t.table, ns, id, undefined, mapKeys, ops);
        n++;
      }
      t.mapKeys.delete(ns);
    }
    for (const [ns, ids] of t.whole) {
      for (const [id, fresh] of ids) {
        if (n >= max) return n;
        ids.delete(id);
        appendEntryOps(this.host, t.table, ns, id, fresh, undefined, ops);
        n++;
      }
      t.whole.delete(ns);
    }
    return n;
  }
}
