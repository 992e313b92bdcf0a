/** namespace -> key -> entry. The void namespace is one inner map, so plain keyed state costs one lookup. */
export type KeyId = string | number | bigint | boolean;

export class StateTable<S> {
  readonly namespaces = new Map<string, Map<KeyId, S>>();

  get(namespace: string, key: KeyId): S | undefined {
    return this.namespaces.get(namespace)?.get(key);
  }

  set(namespace: string, key: KeyId, entry: S): void {
    let m = this.namespaces.get(namespace);
    if (!m) {
      m = new Map();
      this.namespaces.set(namespace, m);
    }
    m.set(key, entry);
  }

  delete(namespace: string, key: KeyId): void {
    const m = this.namespaces.get(namespace);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.namespaces.delete(namespace);
  }

  /**
   * The inner map of one namespace, created when missing. An operator that updates one
   * namespace for many keys in a row (window slices) keeps it to skip the outer lookup;
   * it must then not use delete() on that namespace, which drops an emptied inner map.
   */
  namespace(namespace: string): Map<KeyId, S> {
    let m = this.namespaces.get(namespace);
    if (!m) {
      m = new Map();
      this.namespaces.set(namespace, m);
    }
    return m;
  }

  /** Removes a namespace for every key at once. */
  dropNamespace(namespace: string): void {
    this.namespaces.delete(namespace);
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
