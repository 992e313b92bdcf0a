/**
 * The informer's cache, kept apart from its I/O so the event rules are plain logic: what
 * an ADDED/MODIFIED/DELETED watch event or a full relist does to the cache, and which
 * add/update/delete notifications that implies.
 */
export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

export interface KubeObjectLike {
  metadata?: ObjectMetaLike;
}

export type StoreEvent<T> =
  | { type: 'add'; obj: T }
  | { type: 'update'; old: T; obj: T }
  | { type: 'delete'; obj: T };

/** `namespace/name`, or `name` for cluster-scoped objects: client-go's MetaNamespaceKeyFunc. */
export function objectKey(obj: KubeObjectLike): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export class ObjectStore<T extends KubeObjectLike> {
  private readonly items = new Map<string, T>();

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  size(): number {
    return this.items.size;
  }

  /** An ADDED or MODIFIED object. An unchanged resourceVersion (a replayed event) is no change. */
  upsert(obj: T): StoreEvent<T> | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    if (!old) return { type: 'add', obj };
    if (old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return undefined;
    return { type: 'update', old, obj };
  }

  /** A DELETED object; the notification carries the final state the server sent. */
  remove(obj: T): StoreEvent<T> | undefined {
    const key = objectKey(obj);
    if (!this.items.has(key)) return undefined;
    this.items.delete(key);
    return { type: 'delete', obj };
  }

  /**
   * A fresh list replaces the cache. Objects that are gone were deleted while we were not
   * watching: they get a delete with their last known state (client-go's
   * DeletedFinalStateUnknown), so no deletion is missed.
   */
  replace(objs: T[]): StoreEvent<T>[] {
    const events: StoreEvent<T>[] = [];
    const seen = new Set<string>();
    for (const obj of objs) {
      seen.add(objectKey(obj));
      const event = this.upsert(obj);
      if (event) events.push(event);
    }
    for (const [key, obj] of [...this.items]) {
      if (seen.has(key)) continue;
      this.items.delete(key);
      events.push({ type: 'delete', obj });
    }
    return events;
  }
}
