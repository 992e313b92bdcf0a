/**
 * namespace -> key group -> key -> entry. Partitioned by key group so that a snapshot,
 * a restore or a rescale works on whole key groups; the namespace comes first so that an
 * operator that stays in one namespace (every plain keyed state, a window for each of its
 * records) pays one compare for it. Key groups are indexed from the start of the backend's
 * range; keys are KeyIds (key-identity.ts), which turn back into keys.
 */
import type { KeyId } from '../key-identity.ts';

interface NamespaceTable<S> {
  /** One map per key group of the range, created on first write. */
  readonly groups: (Map<KeyId, S> | undefined)[];
  size: number;
}

export class StateTable<S> {
  private readonly namespaces = new Map<string, NamespaceTable<S>>();
  /** The namespace of the last access and its table: state is mostly used in one namespace many times in a row. */
  private lastNamespace: string | undefined;
  private last: NamespaceTable<S> | undefined;

  /** `groupCount`: how many key groups the backend's range holds. */
  constructor(private readonly groupCount: number) {}

  private table(namespace: string): NamespaceTable<S> | undefined {
    if (namespace === this.lastNamespace) return this.last;
    const t = this.namespaces.get(namespace);
    this.lastNamespace = namespace;
    this.last = t;
    return t;
  }

  private tableForWrite(namespace: string): NamespaceTable<S> {
    let t = this.table(namespace);
    if (!t) {
      t = { groups: new Array<Map<KeyId, S> | undefined>(this.groupCount), size: 0 };
      this.namespaces.set(namespace, t);
      this.last = t;
    }
    return t;
  }

  /** `group`: the key group's index in the backend's range. */
  get(namespace: string, group: number, key: KeyId): S | undefined {
    return this.table(namespace)?.groups[group]?.get(key);
  }

  set(namespace: string, group: number, key: KeyId, entry: S): void {
    const t = this.tableForWrite(namespace);
    let m = t.groups[group];
    if (!m) t.groups[group] = m = new Map();
    const before = m.size;
    m.set(key, entry);
    t.size += m.size - before;
  }

  delete(namespace: string, group: number, key: KeyId): void {
    const t = this.table(namespace);
    const m = t?.groups[group];
    if (!m || !m.delete(key)) return;
    if (--t!.size === 0) this.dropNamespace(namespace);
  }

  /** Removes a namespace for every key at once. */
  dropNamespace(namespace: string): void {
    this.namespaces.delete(namespace);
    if (namespace === this.lastNamespace) this.last = undefined;
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()];
  }

  /** The keys of one namespace, with the index of their key group. */
  *keysIn(namespace: string): Generator<[number, KeyId]> {
    const t = this.namespaces.get(namespace);
    if (!t) return;
    for (let g = 0; g < t.groups.length; g++) {
      const m = t.groups[g];
      if (m) for (const k of m.keys()) yield [g, k];
    }
  }

  size(): number {
    let n = 0;
    for (const t of this.namespaces.values()) n += t.size;
    return n;
  }

  /** Every (namespace, key group index, key, entry); safe against deletion while iterating. */
  *entries(): Generator<[string, number, KeyId, S]> {
    for (const [ns, t] of this.namespaces) {
      for (let g = 0; g < t.groups.length; g++) {
        const m = t.groups[g];
        if (m) for (const [k, s] of m) yield [ns, g, k, s];
      }
    }
  }

  /** The entries of one key group, as [namespace, key, entry]. */
  *groupEntries(group: number): Generator<[string, KeyId, S]> {
    for (const [ns, t] of this.namespaces) {
      const m = t.groups[group];
      if (m) for (const [k, s] of m) yield [ns, k, s];
    }
  }
}
