/** The heap backend's side of the canonical snapshot: its tables and timer queues to key groups and back. */
import { WeirError } from '../../../errors/index.ts';
import type { KeyGroupRange } from '../key-group.ts';
import { copyIfPlainData } from '../plain-data.ts';
import { keyFromIdentity, keyIdentity } from '../key-identity.ts';
import type { KeyId } from '../key-identity.ts';
import { ChangeCollector } from '../snapshot/change-collector.ts';
import type { ChangedEntries } from '../snapshot/change-collector.ts';
import { encodeKeyGroupState } from '../snapshot/keyed-state-snapshot.ts';
import type { KeyGroupState, StateEntries, TimerEntries } from '../snapshot/keyed-state-snapshot.ts';
import type { TimerDomain } from '../keyed-state-backend.ts';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import { checkedKeyGroup } from './current-key.ts';
import type { HeapState } from './heap-state.ts';
import type { HeapTimerQueue } from './heap-timer-queue.ts';
import type { Stamped } from './ttl.ts';
import type { StateTable } from './state-table.ts';
import type { TableSnapshot } from './table-snapshot.ts';

interface MutableGroup {
  states: StateEntries[];
  timers: TimerEntries[];
}

/**
 * A snapshot in two parts, as Flink's heap backend takes one: `captureKeyGroups` runs while
 * the task stops for the barrier and only starts a copy-on-write view of each state table
 * (table-snapshot.ts), whatever the state's size; reading the views, grouping by key group
 * and encoding come later, in steps the caller spreads over event-loop turns while the task
 * keeps processing and changing the tables. Containers a state changes in place (lists,
 * maps, plain-data accumulators functions may change) are copied when the view reads them,
 * or before their first change if that comes first; a value state's object is replaced by
 * update(), never changed in it.
 */
interface CapturedState {
  name: string;
  kind: StateEntries['kind'];
  ttl: boolean;
  table: StateTable<unknown>;
  view: TableSnapshot<unknown>;
  /** Entries changed since the previous snapshot (with change tracking). */
  changed: ChangedEntries | undefined;
}

/** The encoded key groups, and with change tracking, the encoded changes of the groups that changed. */
export interface EncodedKeyGroups {
  readonly keyGroups: Map<number, Uint8Array>;
  readonly changes: Map<number, Uint8Array> | undefined;
}

export interface CapturedKeyGroups {
  /** Whether nothing was captured (no state and no timers: no keyed snapshot to write). */
  readonly empty: boolean;
  /** With change tracking: the backend's snapshot count with this one, whose changes the steps encode. */
  readonly changesSeq: number | undefined;
  /** Groups and encodes the captured state; yields between chunks of entries. */
  steps(): Generator<void, EncodedKeyGroups>;
  /** The capture will not be read (any further): the tables stop keeping changes for it. */
  release(): void;
}

/** Entries grouped or encoded between two yields. */
const STEP_ENTRIES = 20_000;

/**
 * How a view copies an entry it keeps or reads: deep for plain data, as Flink copies with
 * its serializers, so neither a later change in place nor one through a value read from
 * state reaches the checkpoint; TTL wrappers are copied around their values.
 */
function copierFor(kind: StateEntries['kind'], ttl: boolean): (v: unknown) => unknown {
  const one = ttl ? (s: unknown) => ({ v: copyIfPlainData((s as Stamped<unknown>).v), t: (s as Stamped<unknown>).t }) : copyIfPlainData;
  switch (kind) {
    case 'list':
      return (v) => (Array.isArray(v) ? v.map(one) : v);
    case 'map':
      return (v) => (v instanceof Map ? new Map([...(v as Map<unknown, unknown>)].map(([k, e]) => [k, one(e)])) : v);
    default:
      return one;
  }
}

export function captureKeyGroups(backend: HeapKeyedStateBackend, range: KeyGroupRange): CapturedKeyGroups {
  const own = backend.keyGroupRange;
  const first = Math.max(range.start, own.start);
  const last = Math.min(range.end, own.end);
  // Changes are taken (and the table records anew) only by a snapshot of every group the backend holds.
  const tracking = backend.changeSequence !== undefined && range.start <= own.start && range.end >= own.end;
  const states: CapturedState[] = [];
  /** States emptied since the previous snapshot: every change of theirs was a removal. */
  const emptied: { name: string; kind: StateEntries['kind']; ttl: boolean; changed: ChangedEntries }[] = [];
  let statesWithEntries = 0;
  for (const [name, state] of backend.states) {
    const changed = tracking ? state.table.takeChanges() : undefined;
    const kind = state.descriptor.kind;
    const ttl = state.descriptor.ttl !== undefined;
    // Emptied namespaces are dropped, so a table holds entries exactly when it has namespaces.
    if (state.table.namespaces.size === 0) {
      if (changed !== undefined && !changed.empty) emptied.push({ name, kind, ttl, changed });
      continue;
    }
    statesWithEntries++;
    const table = state.table as StateTable<unknown>;
    states.push({ name, kind, ttl, table, view: table.takeSnapshot({ copy: copierFor(kind, ttl) }), changed });
  }
  const timers = [...backend.timerQueues].map(([name, queue]) => ({ name, timers: [...queue.timers()].map((t) => [t.key, t.namespace, t.time] as const), changed: tracking ? queue.changes?.take() : undefined }));
  const pendingStates = [...backend.pendingStates.values()];
  const pendingTimers = [...backend.pendingTimers.values()];
  const empty = statesWithEntries === 0 && timers.every((t) => t.timers.length === 0) && pendingStates.every((m) => m.size === 0) && pendingTimers.every((m) => m.size === 0);
  const { maxParallelism } = backend;
  const changesSeq = tracking ? ++backend.changeSequence!.seq : undefined;
  const release = (): void => {
    for (const st of states) st.table.releaseSnapshot(st.view);
  };
  return {
    empty,
    changesSeq,
    release,
    *steps() {
      const collector = tracking ? new ChangeCollector(maxParallelism, first, last) : undefined;
      const groups = new Map<number, MutableGroup>();
      const groupOf = (kg: number): MutableGroup => {
        let g = groups.get(kg);
        if (!g) groups.set(kg, (g = { states: [], timers: [] }));
        return g;
      };
      try {
        for (const st of states) {
          const byGroup = new Map<number, StateEntries['entries']>();
          const walk = collector?.state(st.name, st.kind, st.ttl, st.changed);
          const group = (ns: string, id: KeyId, value: unknown): void => {
            const key = keyFromIdentity(id);
            const kg = checkedKeyGroup(key, maxParallelism, own);
            if (kg < first || kg > last) return;
            let list = byGroup.get(kg);
            if (!list) byGroup.set(kg, (list = []));
            list.push([key, ns, value]);
            walk?.entry(kg, key, id, ns, value);
          };
          while (!st.view.read(STEP_ENTRIES, group)) yield;
          st.table.releaseSnapshot(st.view);
          walk?.finish();
          for (const [kg, list] of byGroup) groupOf(kg).states.push({ name: st.name, kind: st.kind, ttl: st.ttl, entries: list });
        }
      } finally {
        release();
      }
      for (const e of emptied) collector?.state(e.name, e.kind, e.ttl, e.changed)?.finish();
      for (const byGroup of pendingStates) for (const [kg, e] of byGroup) if (kg >= first && kg <= last) groupOf(kg).states.push(e);
      for (const { name, timers: list, changed } of timers) {
        const slash = name.lastIndexOf('/');
        const service = name.slice(0, slash);
        const domain = name.slice(slash + 1) as TimerDomain;
        const byGroup = new Map<number, TimerEntries['timers']>();
        for (const [ref, ns, time] of list) {
          const kg = ref.keyGroup >= 0 ? ref.keyGroup : checkedKeyGroup(ref.key, maxParallelism, own);
          if (kg < first || kg > last) continue;
          let l = byGroup.get(kg);
          if (!l) byGroup.set(kg, (l = []));
          l.push([ref.key, ns, time]);
        }
        for (const [kg, l] of byGroup) groupOf(kg).timers.push({ service, domain, timers: l });
        if (changed !== undefined) collector?.timers(name, changed, byGroup);
      }
      for (const byGroup of pendingTimers) for (const [kg, t] of byGroup) if (kg >= first && kg <= last) groupOf(kg).timers.push(t);
      const out = new Map<number, Uint8Array>();
      let encoded = 0;
      for (const kg of [...groups.keys()].sort((a, b) => a - b)) {
        const g = groups.get(kg)!;
        out.set(kg, encodeKeyGroupState(g as KeyGroupState));
        encoded += g.states.reduce((n, e) => n + e.entries.length, 0) + g.timers.reduce((n, t) => n + t.timers.length, 0);
        if (encoded >= STEP_ENTRIES) {
          encoded = 0;
          yield;
        }
      }
      return { keyGroups: out, changes: collector?.encode() };
    },
  };
}

/** Runs the steps to their end at once. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Encodes every key group of `range` (within the backend's own) that holds state or timers, at once. */
export function snapshotKeyGroups(backend: HeapKeyedStateBackend, range: KeyGroupRange): EncodedKeyGroups {
  return runSteps(captureKeyGroups(backend, range).steps());
}

/** Loads restored entries into a state just registered under their name. */
export function restoreEntries(state: HeapState<unknown>, byGroup: ReadonlyMap<number, StateEntries>): void {
  const d = state.descriptor;
  for (const s of byGroup.values()) {
    if (s.kind !== d.kind) {
      throw new WeirError('STATE_KIND_MISMATCH', `state "${d.name}" was restored as ${s.kind} state and is now requested as ${d.kind} state; keep the kind of a state, or give the new one another name`, false);
    }
    if (s.ttl !== (d.ttl !== undefined)) {
      throw new WeirError(
        'STATE_RESTORE_MISMATCH',
        `state "${d.name}" was written ${s.ttl ? 'with' : 'without'} time-to-live and is now requested ${s.ttl ? 'without' : 'with'} it; turning TTL on or off needs a new state name`,
        false,
      );
    }
    for (const [key, ns, value] of s.entries) state.table.load(ns, keyIdentity(key), value);
  }
}

export function restoreTimers(queue: HeapTimerQueue, byGroup: ReadonlyMap<number, TimerEntries>): void {
  for (const [kg, t] of byGroup) for (const [key, ns, time] of t.timers) queue.add({ key, id: keyIdentity(key), keyGroup: kg }, ns, time);
}
