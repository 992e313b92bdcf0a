/**
 * Timers in RocksDB (`state.backend.rocksdb.timer-service.factory: ROCKSDB`, as Flink's
 * default). Timers due up to `loadedUpTo` live in a heap queue (the head); later ones are
 * rows, written with the backend's write batches:
 *
 *   0xFFFF | queue id (u16 BE) | time (sortable f64) | key group (u16 BE) | key length (u32 BE) | key
 *     | namespace length (u32 BE) | namespace | registration number (f64 BE)
 *
 * 0xFFFF is above every key group (maxParallelism is at most 32768), so timers are one range
 * apart from state. Before a watermark or the clock fires timers, `load(upTo)` moves the rows
 * due by then into the head (one range read) and deletes them; popDue refuses to run past
 * what was loaded while rows may remain. Adding a timer cannot ask RocksDB whether it
 * exists, so each registration is a row of its own, ending in a registration number: the
 * rows of one timer are adjacent, a delete removes them all (deleteRange), and a load or a
 * snapshot keeps the first. Timers of equal time then fire in registration order, as on
 * the heap.
 */
import { WeirError } from '../../../errors/index.ts';
import { HeapTimerQueue } from '../heap/heap-timer-queue.ts';
import { keyGroupFor } from '../key-group.ts';
import type { KeyValue } from '../key-group.ts';
import { keyIdentity } from '../key-identity.ts';
import type { KeyId, KeyRef } from '../key-identity.ts';
import type { Timer, TimerChanges, TimerQueue } from '../timer-queue.ts';
import type { RocksCodec } from './rocks-keys.ts';
import { prefixEnd } from './rocks-keys.ts';
import type { RocksStore, WriteOp } from './rocks-store.ts';

export const TIMER_SPACE = 0xffff;
const EMPTY = Buffer.alloc(0);
const RECENT_LIMIT = 65_536;
const NO_TIMER = { id: NaN, namespace: '', time: NaN } as const;
/** Timer rows queued between batches before they are written behind. */
const MAX_QUEUED_OPS = 8192;

/** What a timer queue needs of its backend. */
export interface TimerHost {
  readonly codec: RocksCodec;
  readonly store: RocksStore;
  /** The write operations waiting for the next write batch (the queue appends its own). */
  readonly timerOps: WriteOp[];
  readonly maxParallelism: number;
  /** Queues the backend's pending writes (state and timers), to run before what comes next. */
  flushWrites(): Promise<void> | undefined;
  /** The next registration number of the backend's timers. */
  nextTimerSeq(): number;
  /** Called when timer rows pile up between batches: writes them behind, without waiting. */
  timerOpsQueued(): void;
}

export function timerQueuePrefix(queueId: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(TIMER_SPACE, 0);
  b.writeUInt16BE(queueId, 2);
  return b;
}

/** A float64 whose bytes sort as the numbers do. */
function sortableTime(time: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(time, 0);
  if ((b[0]! & 0x80) === 0) b[0]! |= 0x80;
  else for (let i = 0; i < 8; i++) b[i] = ~b[i]! & 0xff;
  return b;
}

function timeOf(row: Buffer, at: number): number {
  const b = Buffer.from(row.subarray(at, at + 8));
  if ((b[0]! & 0x80) !== 0) b[0]! &= 0x7f;
  else for (let i = 0; i < 8; i++) b[i] = ~b[i]! & 0xff;
  return b.readDoubleBE(0);
}

/** The bytes every row of one timer starts with (all but the registration number). */
export function timerRowPrefix(codec: RocksCodec, queueId: number, time: number, keyGroup: number, key: KeyValue, namespace: string): Buffer {
  const ns = Buffer.from(namespace);
  const nsLen = Buffer.alloc(4);
  nsLen.writeUInt32BE(ns.length, 0);
  // keyPrefix is key group | key length | key: the same bytes state rows start with.
  return Buffer.concat([timerQueuePrefix(queueId), sortableTime(time), codec.keyPrefix(keyGroup, key), nsLen, ns]);
}

export function timerRowKey(prefix: Buffer, seq: number): Buffer {
  const out = Buffer.alloc(prefix.length + 8);
  prefix.copy(out, 0);
  out.writeDoubleBE(seq, prefix.length);
  return out;
}

export interface ParsedTimerRow {
  readonly queueId: number;
  readonly time: number;
  readonly keyGroup: number;
  readonly key: KeyValue;
  readonly namespace: string;
  readonly seq: number;
  /** The row without its registration number: equal for every row of one timer. */
  readonly prefix: Buffer;
}

export function parseTimerRow(codec: RocksCodec, row: Buffer): ParsedTimerRow {
  const queueId = row.readUInt16BE(2);
  const time = timeOf(row, 4);
  const rest = row.subarray(12);
  const keyGroup = rest.readUInt16BE(0);
  const keyEnd = 6 + rest.readUInt32BE(2);
  const nsLen = rest.readUInt32BE(keyEnd);
  const namespace = rest.toString('utf8', keyEnd + 4, keyEnd + 4 + nsLen);
  return { queueId, time, keyGroup, key: codec.keyOf(rest, keyEnd), namespace, seq: row.readDoubleBE(row.length - 8), prefix: row.subarray(0, row.length - 8) };
}

/** The first row of each timer (rows come sorted, a timer's rows adjacent, lowest registration number first). */
export function firstRows(rows: Iterable<ParsedTimerRow>): ParsedTimerRow[] {
  const out: ParsedTimerRow[] = [];
  let last: Buffer | undefined;
  for (const r of rows) {
    if (last !== undefined && r.prefix.equals(last)) continue;
    last = r.prefix;
    out.push(r);
  }
  return out;
}

export class RocksTimerQueue implements TimerQueue {
  private readonly head = new HeapTimerQueue();
  /** Set by a backend that tracks changes; the head's own moves (rows loaded into it) are none. */
  changes: TimerChanges | undefined;
  /** Every timer due at or before this is in the head. */
  private loadedUpTo = -Infinity;
  /** At least as many rows as exist (a timer registered twice counts twice until it is loaded). */
  private rows = 0;
  /** No row is due before this (it may be earlier than the earliest row: a wake-up finds nothing then). */
  private rowsFrom = Infinity;
  /**
   * Timers added as rows and not deleted since: time -> namespace -> keys. Operators register
   * the same timer again and again (a trigger per record); these are then not written again.
   * Bounded: forgotten when it grows past RECENT_LIMIT (a repeat then costs one more row).
   */
  private recent = new Map<number, Map<string, Set<KeyId>>>();
  private recentSize = 0;
  /** The last timer added as a row (and in `recent`). */
  private lastAdded: { readonly id: KeyId; readonly namespace: string; readonly time: number } = NO_TIMER;

  constructor(
    readonly name: string,
    private readonly queueId: number,
    private readonly host: TimerHost,
  ) {}

  get size(): number {
    return this.head.size + this.rows;
  }

  /** Rows restored from a snapshot (written by the backend). */
  restoredRow(time: number): void {
    this.rows++;
    this.rowsFrom = Math.min(this.rowsFrom, time);
  }

  add(key: KeyRef, namespace: string, time: number): boolean {
    this.changes?.note(key);
    if (time <= this.loadedUpTo) return this.head.add(key, namespace, time);
    // The same timer registered again right away (a timer per record of one key): nothing to look up.
    if (time === this.lastAdded.time && key.id === this.lastAdded.id && namespace === this.lastAdded.namespace) return false;
    let byNs = this.recent.get(time);
    if (byNs === undefined) this.recent.set(time, (byNs = new Map()));
    let keys = byNs.get(namespace);
    if (keys === undefined) byNs.set(namespace, (keys = new Set()));
    if (keys.has(key.id)) return false;
    if (this.recentSize >= RECENT_LIMIT) this.forgetRecent();
    keys.add(key.id);
    this.recentSize++;
    this.lastAdded = { id: key.id, namespace, time };
    this.host.timerOps.push(['put', timerRowKey(this.rowPrefix(key, namespace, time), this.host.nextTimerSeq()), EMPTY]);
    this.rows++;
    this.rowsFrom = Math.min(this.rowsFrom, time);
    if (this.host.timerOps.length >= MAX_QUEUED_OPS) this.host.timerOpsQueued();
    return true;
  }

  delete(key: KeyRef, namespace: string, time: number): void {
    this.changes?.note(key);
    if (time <= this.loadedUpTo) {
      this.head.delete(key, namespace, time);
      return;
    }
    if (this.recent.get(time)?.get(namespace)?.delete(key.id)) this.recentSize--;
    this.lastAdded = NO_TIMER;
    const prefix = this.rowPrefix(key, namespace, time);
    this.host.timerOps.push(['deleteRange', prefix, prefixEnd(prefix)]);
    if (this.host.timerOps.length >= MAX_QUEUED_OPS) this.host.timerOpsQueued();
  }

  private forgetRecent(): void {
    this.recent = new Map();
    this.recentSize = 0;
    this.lastAdded = NO_TIMER;
  }

  nextTime(): number {
    return Math.min(this.head.nextTime(), this.rowsFrom);
  }

  popDue(upTo: number): Timer | undefined {
    this.checkLoaded(upTo);
    const t = this.head.popDue(upTo);
    if (t !== undefined) this.changes?.note(t.key);
    return t;
  }

  dueKeys(upTo: number): KeyValue[] {
    this.checkLoaded(upTo);
    return this.head.dueKeys(upTo);
  }

  /** The head's timers (loaded, in memory); the rows are snapshotted from RocksDB. */
  timers(): Generator<Timer> {
    return this.head.timers();
  }

  /** Moves the rows due by `upTo` into the head; undefined when there is nothing to read. */
  load(upTo: number): Promise<void> | undefined {
    if (upTo <= this.loadedUpTo) return undefined;
    if (this.rows === 0 || this.rowsFrom > upTo) {
      // No row is due by `upTo`: the head holds every timer due by then.
      this.loadedUpTo = upTo;
      return undefined;
    }
    const wrote = this.host.flushWrites();
    const prefix = timerQueuePrefix(this.queueId);
    const end = prefixEnd(Buffer.concat([prefix, sortableTime(upTo)]));
    const read = this.host.store.scanAll([[prefix, end]]).then(async ([due]) => {
      const parsed = due!.map((r) => parseTimerRow(this.host.codec, r.key));
      for (const r of due!) this.host.timerOps.push(['delete', r.key]);
      // In time, then registration, order: the order the head fires equal times in.
      const timers = firstRows(parsed).sort((a, b) => a.time - b.time || a.seq - b.seq);
      for (const t of timers) this.head.add({ key: t.key, id: keyIdentity(t.key), keyGroup: t.keyGroup }, t.namespace, t.time);
      this.rows = Math.max(0, this.rows - due!.length);
      this.loadedUpTo = upTo;
      for (const [time, byNs] of this.recent) {
        if (time > upTo) continue;
        for (const keys of byNs.values()) this.recentSize -= keys.size;
        this.recent.delete(time);
      }
      const next = this.rows === 0 ? [] : await this.host.store.scanAll([[end, prefixEnd(prefix)]], 1);
      const first = next[0]?.[0];
      this.rowsFrom = first === undefined ? Infinity : parseTimerRow(this.host.codec, first.key).time;
      if (first === undefined) this.rows = 0;
    });
    return Promise.all([wrote, read]).then(() => undefined);
  }

  private rowPrefix(key: KeyRef, namespace: string, time: number): Buffer {
    const keyGroup = key.keyGroup >= 0 ? key.keyGroup : keyGroupFor(key.key, this.host.maxParallelism);
    return timerRowPrefix(this.host.codec, this.queueId, time, keyGroup, key.key, namespace);
  }

  private checkLoaded(upTo: number): void {
    if (upTo > this.loadedUpTo && this.rows > 0 && this.rowsFrom <= upTo) {
      throw new WeirError('STATE_NOT_PREFETCHED', `timers "${this.name}" due by ${upTo} were not loaded from RocksDB (loaded up to ${this.loadedUpTo}); the task must load timers before firing them`, false);
    }
  }
}
