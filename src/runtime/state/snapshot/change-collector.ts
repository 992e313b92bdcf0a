/**
 * Builds a snapshot's changes (key-group-changes.ts) while a backend walks its entries as at
 * the barrier for the full encoding: an entry the backend recorded as changed since the
 * previous snapshot is a put with the value walked; a changed entry the walk never meets was
 * removed. Timer queues say which groups' timers changed; those groups carry their whole
 * timer list of that queue. The changed sets are the backend's, swapped out at the barrier,
 * so the walk may empty them.
 */
import { randomUUID } from 'node:crypto';
import { keyGroupFor } from '../key-group.ts';
import type { KeyValue } from '../key-group.ts';
import { keyFromIdentity } from '../key-identity.ts';
import type { KeyId } from '../key-identity.ts';
import type { EntryChanges } from '../heap/entry-changes.ts';
import type { TimerDomain } from '../keyed-state-backend.ts';
import { encodeKeyGroupChanges } from './key-group-changes.ts';
import type { KeyGroupChanges, StateChanges } from './key-group-changes.ts';
import type { StateEntries, TimerEntries } from './keyed-state-snapshot.ts';

/** Entries written or removed since the previous snapshot. */
export type ChangedEntries = EntryChanges;

/** A map entry changed entry by entry: its map as at the barrier (a RocksDB scan fills it after the call) and the map keys changed. */
interface MapPatch {
  readonly changes: StateChanges & { mapPuts: NonNullable<StateChanges['mapPuts']>; mapDeletes: NonNullable<StateChanges['mapDeletes']> };
  readonly key: KeyValue;
  readonly ns: string;
  readonly map: ReadonlyMap<unknown, unknown>;
  readonly mapKeys: ReadonlySet<unknown>;
}

interface MutableChanges {
  states: Map<string, MapPatch['changes']>;
  timers: TimerEntries[];
}

/** One state's part of the walk. */
export class StateChangeWalk {
  private lastNs: string | undefined;
  private lastSet: Set<KeyId> | undefined;
  private lastMapKeys: Map<KeyId, Set<unknown>> | undefined;

  constructor(
    private readonly collector: ChangeCollector,
    private readonly head: Omit<StateChanges, 'puts' | 'deletes'>,
    private readonly changed: ChangedEntries,
  ) {}

  /** An entry as at the barrier; its value is kept when it changed (fill a container before the collector encodes). */
  entry(kg: number, key: KeyValue, id: KeyId, ns: string, value: unknown): void {
    if (ns !== this.lastNs) {
      this.lastSet = this.changed.entries.get(ns);
      this.lastMapKeys = this.changed.mapKeys.get(ns);
      this.lastNs = ns;
    }
    if (this.lastSet?.delete(id)) {
      this.collector.stateOf(kg, this.head).puts.push([key, ns, value]);
      return;
    }
    const mapKeys = this.lastMapKeys?.get(id);
    if (mapKeys === undefined || !(value instanceof Map)) return;
    this.lastMapKeys!.delete(id);
    this.collector.patch({ changes: this.collector.stateOf(kg, this.head), key, ns, map: value as ReadonlyMap<unknown, unknown>, mapKeys });
  }

  /** The walk is over: changed entries it did not meet were removed. */
  finish(): void {
    const removed = (ns: string, id: KeyId): void => {
      const key = keyFromIdentity(id);
      const kg = this.collector.groupOf(key);
      if (kg !== undefined) this.collector.stateOf(kg, this.head).deletes.push([key, ns]);
    };
    for (const [ns, ids] of this.changed.entries) for (const id of ids) removed(ns, id);
    // Only map keys changed, yet the entry is gone: removed whole (the backends delete an emptied map).
    for (const [ns, byKey] of this.changed.mapKeys) for (const id of byKey.keys()) removed(ns, id);
    this.changed.entries.clear();
    this.changed.mapKeys.clear();
  }
}

export class ChangeCollector {
  private readonly groups = new Map<number, MutableChanges>();

  constructor(
    private readonly maxParallelism: number,
    private readonly first: number,
    private readonly last: number,
  ) {}

  private readonly patches: MapPatch[] = [];

  /** The walk of one state, or undefined when nothing of it changed. */
  state(name: string, kind: StateEntries['kind'], ttl: boolean, changed: ChangedEntries | undefined): StateChangeWalk | undefined {
    if (changed === undefined || changed.empty) return undefined;
    return new StateChangeWalk(this, { name, kind, ttl }, changed);
  }

  /** The key group of a key, undefined when outside the snapshot's range. */
  groupOf(key: KeyValue): number | undefined {
    const kg = keyGroupFor(key, this.maxParallelism);
    return kg >= this.first && kg <= this.last ? kg : undefined;
  }

  private group(kg: number): MutableChanges {
    let g = this.groups.get(kg);
    if (!g) this.groups.set(kg, (g = { states: new Map(), timers: [] }));
    return g;
  }

  stateOf(kg: number, head: Omit<StateChanges, 'puts' | 'deletes'>): MapPatch['changes'] {
    const g = this.group(kg);
    let s = g.states.get(head.name);
    if (!s) g.states.set(head.name, (s = { name: head.name, kind: head.kind, ttl: head.ttl, puts: [], deletes: [], mapPuts: [], mapDeletes: [] }));
    return s;
  }

  /** A map changed entry by entry: its changed map entries are read when the changes are encoded. */
  patch(p: MapPatch): void {
    this.patches.push(p);
  }

  /** A timer queue's changed groups, with its timers by group as at the barrier. */
  timers(queueName: string, changedGroups: ReadonlySet<number>, byGroup: ReadonlyMap<number, TimerEntries['timers']> | undefined): void {
    const slash = queueName.lastIndexOf('/');
    const service = queueName.slice(0, slash);
    const domain = queueName.slice(slash + 1) as TimerDomain;
    for (const kg of changedGroups) {
      if (kg < this.first || kg > this.last) continue;
      this.group(kg).timers.push({ service, domain, timers: byGroup?.get(kg) ?? [] });
    }
  }

  /** The encoded changes of each group that has any. */
  encode(): Map<number, Uint8Array> {
    for (const { changes, key, ns, map, mapKeys } of this.patches) {
      for (const mk of mapKeys) {
        if (map.has(mk)) changes.mapPuts.push([key, ns, mk, map.get(mk)]);
        else changes.mapDeletes.push([key, ns, mk]);
      }
    }
    this.patches.length = 0;
    const out = new Map<number, Uint8Array>();
    for (const kg of [...this.groups.keys()].sort((a, b) => a - b)) {
      const g = this.groups.get(kg)!;
      const states = [...g.states.values()].map(({ mapPuts, mapDeletes, ...rest }) => (mapPuts.length > 0 || mapDeletes.length > 0 ? { ...rest, mapPuts, mapDeletes } : rest));
      const c: KeyGroupChanges = { states, timers: g.timers };
      out.set(kg, encodeKeyGroupChanges(c));
    }
    return out;
  }
}

/** A backend's count of its snapshots, under an id of its own, when it tracks changes. */
export class ChangeSequence {
  readonly backend = randomUUID();
  seq = 0;
}
