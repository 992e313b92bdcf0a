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
import type { TimerDomain } from '../keyed-state-backend.ts';
import { encodeKeyGroupChanges } from './key-group-changes.ts';
import type { KeyGroupChanges, StateChanges } from './key-group-changes.ts';
import type { StateEntries, TimerEntries } from './keyed-state-snapshot.ts';

/** Entries written or removed since the previous snapshot: namespace -> keys. */
export type ChangedEntries = Map<string, Set<KeyId>>;

interface MutableChanges {
  states: Map<string, StateChanges>;
  timers: TimerEntries[];
}

/** One state's part of the walk. */
export class StateChangeWalk {
  private lastNs: string | undefined;
  private lastSet: Set<KeyId> | undefined;

  constructor(
    private readonly collector: ChangeCollector,
    private readonly head: Omit<StateChanges, 'puts' | 'deletes'>,
    private readonly changed: ChangedEntries,
  ) {}

  /** An entry as at the barrier; true when it changed (its value is then kept: fill a container before the collector encodes). */
  entry(kg: number, key: KeyValue, id: KeyId, ns: string, value: unknown): boolean {
    let s = this.lastSet;
    if (ns !== this.lastNs) {
      s = this.lastSet = this.changed.get(ns);
      this.lastNs = ns;
    }
    if (s === undefined || !s.delete(id)) return false;
    this.collector.stateOf(kg, this.head).puts.push([key, ns, value]);
    return true;
  }

  /** The walk is over: changed entries it did not meet were removed. */
  finish(): void {
    for (const [ns, ids] of this.changed) {
      for (const id of ids) {
        const key = keyFromIdentity(id);
        const kg = this.collector.groupOf(key);
        if (kg !== undefined) this.collector.stateOf(kg, this.head).deletes.push([key, ns]);
      }
    }
    this.changed.clear();
  }
}

export class ChangeCollector {
  private readonly groups = new Map<number, MutableChanges>();

  constructor(
    private readonly maxParallelism: number,
    private readonly first: number,
    private readonly last: number,
  ) {}

  /** The walk of one state, or undefined when nothing of it changed. */
  state(name: string, kind: StateEntries['kind'], ttl: boolean, changed: ChangedEntries | undefined): StateChangeWalk | undefined {
    if (changed === undefined || changed.size === 0) return undefined;
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

  stateOf(kg: number, head: Omit<StateChanges, 'puts' | 'deletes'>): StateChanges {
    const g = this.group(kg);
    let s = g.states.get(head.name);
    if (!s) g.states.set(head.name, (s = { ...head, puts: [], deletes: [] }));
    return s;
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
    const out = new Map<number, Uint8Array>();
    for (const kg of [...this.groups.keys()].sort((a, b) => a - b)) {
      const g = this.groups.get(kg)!;
      const c: KeyGroupChanges = { states: [...g.states.values()], timers: g.timers };
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
