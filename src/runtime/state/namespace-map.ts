/**
 * namespace -> what a state keeps per namespace, remembering the last namespace looked up:
 * state is written in runs of one namespace (a window's records, the void namespace), so
 * the lookup is mostly a compare.
 */
export class NamespaceMap<V> extends Map<string, V> {
  private lastNamespace: string | undefined;
  private last: V | undefined;

  constructor(private readonly make: () => V) {
    super();
  }

  /** The value of `namespace`, made when missing. */
  of(namespace: string): V {
    if (namespace === this.lastNamespace && this.last !== undefined) return this.last;
    let v = this.get(namespace);
    if (v === undefined) this.set(namespace, (v = this.make()));
    this.lastNamespace = namespace;
    this.last = v;
    return v;
  }

  override set(namespace: string, value: V): this {
    if (namespace === this.lastNamespace) this.last = value;
    return super.set(namespace, value);
  }

  override delete(namespace: string): boolean {
    if (namespace === this.lastNamespace) this.last = undefined;
    return super.delete(namespace);
  }

  override clear(): void {
    this.last = undefined;
    super.clear();
  }
}
