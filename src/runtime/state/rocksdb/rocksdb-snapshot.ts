/**
 * The RocksDB backend's side of the canonical snapshot. At the barrier the cache's changes
 * are queued as a write batch and a RocksDB snapshot is queued behind it; timers are copied
 * (they live on the heap). That is all the task waits for. complete() then scans the
 * snapshot's key-group range, which is one contiguous range of rows, and encodes the same
 * KeyedStateSnapshot the heap backend writes, so either backend restores it.
 */
import type { KeyGroupRange } from '../key-group.ts';
import type { KeyedStateCapture, TimerDomain } from '../keyed-state-backend.ts';
import { encodeKeyGroupState } from '../snapshot/keyed-state-snapshot.ts';
import type { KeyedStateSnapshot, KeyGroupState, StateEntries, TimerEntries } from '../snapshot/keyed-state-snapshot.ts';
import { checkedKeyGroup } from '../heap/current-key.ts';
import type { HeapState } from '../heap/heap-state.ts';
import type { Timer, TimerChanges } from '../timer-queue.ts';
import { keyIdentity } from '../key-identity.ts';
import { ChangeCollector } from '../snapshot/change-collector.ts';
import type { ChangeSequence, ChangedEntries, StateChangeWalk } from '../snapshot/change-collector.ts';
import type { RocksCodec } from './rocks-keys.ts';
import { keyGroupBounds } from './rocks-keys.ts';
import { TIMER_SPACE, firstRows, parseTimerRow } from './rocks-timer-queue.ts';
import type { ParsedTimerRow } from './rocks-timer-queue.ts';
import type { RocksStore } from './rocks-store.ts';
import type { RocksTable } from './rocks-table.ts';

/** What the snapshot needs of the backend. */
export interface SnapshotSource {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly store: RocksStore;
  readonly tables: readonly RocksTable[];
  readonly states: ReadonlyMap<string, HeapState<unknown>>;
  readonly timerQueues: ReadonlyMap<string, { timers(): Iterable<Timer>; readonly changes: TimerChanges | undefined }>;
  /** With change tracking: the count of snapshots whose changes were taken. */
  readonly changeSequence: ChangeSequence | undefined;
  /** Names of timer queues by the id in their RocksDB rows. */
  readonly timerQueueNames: readonly string[];
  hasTimerRows(): boolean;
  readonly pendingTimers: ReadonlyMap<string, ReadonlyMap<number, TimerEntries>>;
  entryCount(): number;
}

interface Group {
  states: Map<number, StateEntries['entries']>;
  timers: TimerEntries[];
}

/** The range of every timer row: 0xFFFF then a queue id below 0xFFFF. */
function timerSpace(): [Buffer, Buffer] {
  const start = Buffer.alloc(2);
  start.writeUInt16BE(TIMER_SPACE, 0);
  return [start, Buffer.from([0xff, 0xff, 0xff, 0xff])];
}

/** Entries encoded between two yields to the event loop. */
const STEP_ENTRIES = 20_000;

export function captureRocksSnapshot(src: SnapshotSource, codec: RocksCodec, range: KeyGroupRange, now: number, wrote: Promise<void> | undefined): KeyedStateCapture {
  const own = src.keyGroupRange;
  const first = Math.max(range.start, own.start);
  const last = Math.min(range.end, own.end);
  const maxParallelism = src.maxParallelism;
  const timers = [...src.timerQueues].map(([name, q]) => ({ name, timers: [...q.timers()].map((t) => [t.key, t.namespace, t.time] as const) }));
  const pendingTimers = [...src.pendingTimers.values()];
  const empty = src.entryCount() === 0 && timers.every((t) => t.timers.length === 0) && pendingTimers.every((m) => m.size === 0) && !src.hasTimerRows();
  const timerQueueNames = [...src.timerQueueNames];
  // Changes are taken (and the tables record anew) only by a snapshot of every group the backend holds.
  const sequence = src.changeSequence !== undefined && range.start <= own.start && range.end >= own.end ? src.changeSequence : undefined;
  const tables = src.tables.map((t) => ({ name: t.name, kind: t.kind, ttl: t.ttl, state: src.states.get(t.name), changed: sequence ? t.takeChanges() : undefined }));
  const timerChanges = sequence ? [...src.timerQueues].flatMap(([name, q]) => (q.changes ? [[name, q.changes.take()] as const] : [])) : [];
  const seq = sequence ? ++sequence.seq : 0;
  // Queued now, behind the cache's changes: the snapshot is the state at this barrier.
  const snapshot = empty ? undefined : src.store.snapshot();
  return {
    maxParallelism,
    empty,
    discard() {
      if (snapshot !== undefined) src.store.discard(snapshot);
    },
    complete() {
      const read = readSnapshot();
      return snapshot === undefined ? read : src.store.reading(read);
    },
  };

  async function readSnapshot(): Promise<KeyedStateSnapshot> {
    const collector = sequence ? new ChangeCollector(maxParallelism, first, last) : undefined;
    const walks: (StateChangeWalk | undefined)[] = tables.map((t) => collector?.state(t.name, t.kind, t.ttl, t.changed as ChangedEntries | undefined));
    const groups = new Map<number, Group>();
    const groupOf = (kg: number): Group => {
      let g = groups.get(kg);
      if (!g) groups.set(kg, (g = { states: new Map(), timers: [] }));
      return g;
    };
    // Timer lists by queue name and key group: the head's (in memory) and the rows' (in RocksDB) of a queue go in one list.
    const timerLists = new Map<string, Map<number, TimerEntries['timers']>>();
    const timerList = (name: string, kg: number): TimerEntries['timers'] => {
      let byGroup = timerLists.get(name);
      if (!byGroup) timerLists.set(name, (byGroup = new Map()));
      let l = byGroup.get(kg);
      if (!l) byGroup.set(kg, (l = []));
      return l;
    };
    await wrote;
    if (snapshot !== undefined && first <= last) {
      const snap = await snapshot;
      try {
        let mapCell: Buffer | undefined;
        let map: Map<unknown, unknown> | undefined;
        const [start, end] = keyGroupBounds(first, last);
        for await (const { key, value } of snap.rows(start, end)) {
          const p = codec.parse(key);
          const t = tables[p.stateId]!;
          const g = groupOf(p.keyGroup);
          let entries = g.states.get(p.stateId);
          if (!entries) g.states.set(p.stateId, (entries = []));
          const walk = walks[p.stateId];
          if (t.kind !== 'map') {
            const k = codec.keyOf(key, p.keyEnd);
            const v = codec.decode(value);
            entries.push([k, p.namespace, v]);
            walk?.entry(p.keyGroup, k, keyIdentity(k), p.namespace, v);
            continue;
          }
          const cell = key.subarray(0, p.mapKeyStart);
          if (map === undefined || mapCell === undefined || !cell.equals(mapCell)) {
            map = new Map();
            mapCell = cell;
            const k = codec.keyOf(key, p.keyEnd);
            entries.push([k, p.namespace, map]);
            // The map is filled by the rows that follow, before the changes are encoded.
            walk?.entry(p.keyGroup, k, keyIdentity(k), p.namespace, map);
          }
          map.set(codec.decode(key, p.mapKeyStart), codec.decode(value));
        }
        // Timers kept in RocksDB: their own range, above every key group.
        const [space, spaceEnd] = timerSpace();
        const rows: ParsedTimerRow[] = [];
        for await (const { key } of snap.rows(space, spaceEnd)) {
          const t = parseTimerRow(codec, key);
          if (t.keyGroup >= first && t.keyGroup <= last) rows.push(t);
        }
        // Registration order, which a restore keeps for timers of equal time.
        for (const t of firstRows(rows).sort((a, b) => a.seq - b.seq)) timerList(timerQueueNames[t.queueId]!, t.keyGroup).push([t.key, t.namespace, t.time]);
      } finally {
        if (snapshot !== undefined) await (await snapshot).release();
      }
    }
    for (const { name, timers: list } of timers) {
      for (const [ref, ns, time] of list) {
        const kg = ref.keyGroup >= 0 ? ref.keyGroup : checkedKeyGroup(ref.key, maxParallelism, own);
        if (kg >= first && kg <= last) timerList(name, kg).push([ref.key, ns, time]);
      }
    }
    for (const walk of walks) walk?.finish();
    for (const [name, changed] of timerChanges) collector?.timers(name, changed, timerLists.get(name));
    for (const [name, byGroup] of timerLists) {
      const slash = name.lastIndexOf('/');
      for (const [kg, l] of byGroup) groupOf(kg).timers.push({ service: name.slice(0, slash), domain: name.slice(slash + 1) as TimerDomain, timers: l });
    }
    for (const byGroup of pendingTimers) for (const [kg, t] of byGroup) if (kg >= first && kg <= last) groupOf(kg).timers.push(t);
    const out = new Map<number, Uint8Array>();
    let encoded = 0;
    for (const kg of [...groups.keys()].sort((a, b) => a - b)) {
      const g = groups.get(kg)!;
      const states: StateEntries[] = [];
      for (const [id, entries] of g.states) {
        const t = tables[id]!;
        // Full-snapshot TTL cleanup: expired entries do not reach the snapshot.
        const live = t.state?.descriptor.ttl?.cleanupFullSnapshot ? entries.filter((e) => !t.state!.expiredEntry(e[2], now)) : entries;
        if (live.length > 0) states.push({ name: t.name, kind: t.kind, ttl: t.ttl, entries: live });
        encoded += entries.length;
      }
      if (states.length === 0 && g.timers.length === 0) continue;
      out.set(kg, encodeKeyGroupState({ states, timers: g.timers } as KeyGroupState));
      if (encoded >= STEP_ENTRIES) {
        encoded = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (!collector || !sequence) return { maxParallelism, keyGroups: out };
    return { maxParallelism, keyGroups: out, changes: { backend: sequence.backend, seq, keyGroups: collector.encode() } };
  }
}
