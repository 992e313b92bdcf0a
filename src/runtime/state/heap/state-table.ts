/**
 * namespace -> key -> entry, each namespace one insertion-ordered map. The void namespace
 * is one inner map, so plain keyed state costs one key lookup; and a window slice's
 * entries stay in the order its keys arrived, so reading them back in that order walks the
 * map instead of looking each key up (heap-states.ts). Key groups are not a level of the
 * table: they are computed from the keys when a snapshot groups the entries by key group,
 * which costs once per checkpoint what a per-access key group would cost per record.
 */
import type { KeyId } from '../key-identity.ts';

export class StateTable<S> {
  /** Read it freely; change it only through the methods, which keep the cache below right. */
  readonly namespaces = new Map<string, Map<KeyId, S>>();
  /**
   * The namespace of the last access and its inner map (undefined: none yet). State is
   * read and written in one namespace many times in a row (a window for each of its
   * records, the void namespace always), so the outer lookup mostly becomes a compare.
   */
  private lastNamespace: string | undefined;
  private lastMap: Map<KeyId, S> | undefined;

  private inner(namespace: string): Map<KeyId, S> | undefined {
    if (namespace === this.lastNamespace) return this.lastMap;
    const m = this.namespaces.get(namespace);
    this.lastNamespace = namespace;
    this.lastMap = m;
    return m;
  }

  /** One namespace's map for reading (undefined: the namespace holds nothing). */
  mapOf(namespace: string): ReadonlyMap<KeyId, S> | undefined {
    return this.inner(namespace);
  }

  get(namespace: string, key: KeyId): S | undefined {
    return this.inner(namespace)?.get(key);
  }

  set(namespace: string, key: KeyId, entry: S): void {
    this.namespace(namespace).set(key, entry);
  }

  delete(namespace: string, key: KeyId): void {
    const m = this.inner(namespace);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.dropNamespace(namespace);
  }

  /**
   * The inner map of one namespace, created when missing. An operator that updates one
   * namespace for many keys in a row (window slices) keeps it to skip the outer lookup;
   * it must then not use delete() on that namespace, which drops an emptied inner map.
   */
  namespace(namespace: string): Map<KeyId, S> {
    let m = this.inner(namespace);
    if (!m) {
      m = new Map();
      this.namespaces.set(namespace, m);
      this.lastMap = m;
    }
    return m;
  }

  /** Removes a namespace for every key at once. */
  dropNamespace(namespace: string): void {
    this.namespaces.delete(namespace);
    if (namespace === this.lastNamespace) this.lastMap = undefined;
  }

  size(): number {
    let n = 0;
    for (const m of this.namespaces.values()) n += m.size;
    return n;
  }

  /** Every (namespace, key, entry); safe against deletion while iterating. */
  *entries(): Generator<[string, KeyId, S]> {
    for (const [ns, m] of this.namespaces) for (const [k, s] of m) yield [ns, k, s];
  }
}
