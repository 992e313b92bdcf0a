/** The heap backend's side of the canonical snapshot: its tables and timer queues to key groups and back. */
import { WeirError } from '../../../errors/index.ts';
import type { KeyGroupRange } from '../key-group.ts';
import { keyFromIdentity, keyIdentity } from '../key-identity.ts';
import { encodeKeyGroupState } from '../snapshot/keyed-state-snapshot.ts';
import type { KeyGroupState, StateEntries, TimerEntries } from '../snapshot/keyed-state-snapshot.ts';
import type { TimerDomain } from '../keyed-state-backend.ts';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import { checkedKeyGroup } from './current-key.ts';
import type { HeapState } from './heap-state.ts';
import type { HeapTimerQueue } from './heap-timer-queue.ts';

interface MutableGroup {
  states: StateEntries[];
  timers: TimerEntries[];
}

/** Encodes every key group of `range` (within the backend's own) that holds state or timers. */
export function snapshotKeyGroups(backend: HeapKeyedStateBackend, range: KeyGroupRange): Map<number, Uint8Array> {
  const own = backend.keyGroupRange;
  const first = Math.max(range.start, own.start);
  const last = Math.min(range.end, own.end);
  const groups = new Map<number, MutableGroup>();
  const groupOf = (kg: number): MutableGroup => {
    let g = groups.get(kg);
    if (!g) groups.set(kg, (g = { states: [], timers: [] }));
    return g;
  };
  for (const [name, state] of backend.states) {
    const byGroup = new Map<number, StateEntries['entries']>();
    for (const [ns, id, value] of state.table.entries()) {
      const key = keyFromIdentity(id);
      const kg = checkedKeyGroup(key, backend.maxParallelism, own);
      if (kg < first || kg > last) continue;
      let entries = byGroup.get(kg);
      if (!entries) byGroup.set(kg, (entries = []));
      entries.push([key, ns, value]);
    }
    const ttl = state.descriptor.ttl !== undefined;
    for (const [kg, entries] of byGroup) groupOf(kg).states.push({ name, kind: state.descriptor.kind, ttl, entries });
  }
  for (const byGroup of backend.pendingStates.values()) {
    for (const [kg, entries] of byGroup) if (kg >= first && kg <= last) groupOf(kg).states.push(entries);
  }
  for (const [name, queue] of backend.timerQueues) snapshotTimers(name, queue, first, last, groupOf, backend.maxParallelism, own);
  for (const byGroup of backend.pendingTimers.values()) {
    for (const [kg, timers] of byGroup) if (kg >= first && kg <= last) groupOf(kg).timers.push(timers);
  }
  const out = new Map<number, Uint8Array>();
  for (const kg of [...groups.keys()].sort((a, b) => a - b)) out.set(kg, encodeKeyGroupState(groups.get(kg)! as KeyGroupState));
  return out;
}

function snapshotTimers(name: string, queue: HeapTimerQueue, first: number, last: number, groupOf: (kg: number) => MutableGroup, maxParallelism: number, own: KeyGroupRange): void {
  const slash = name.lastIndexOf('/');
  const service = name.slice(0, slash);
  const domain = name.slice(slash + 1) as TimerDomain;
  const byGroup = new Map<number, TimerEntries['timers']>();
  for (const t of queue.timers()) {
    const kg = t.key.keyGroup >= 0 ? t.key.keyGroup : checkedKeyGroup(t.key.key, maxParallelism, own);
    if (kg < first || kg > last) continue;
    let list = byGroup.get(kg);
    if (!list) byGroup.set(kg, (list = []));
    list.push([t.key.key, t.namespace, t.time]);
  }
  for (const [kg, timers] of byGroup) groupOf(kg).timers.push({ service, domain, timers });
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
    for (const [key, ns, value] of s.entries) state.table.set(ns, keyIdentity(key), value);
  }
}

export function restoreTimers(queue: HeapTimerQueue, byGroup: ReadonlyMap<number, TimerEntries>): void {
  for (const [kg, t] of byGroup) for (const [key, ns, time] of t.timers) queue.add({ key, id: keyIdentity(key), keyGroup: kg }, ns, time);
}
