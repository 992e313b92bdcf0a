// The object store: current objects per resource, one global resourceVersion counter (like
// etcd's revision), and a bounded history of changes that watches replay from.
import type { KubeObject } from '../types.ts';
import { clone } from '../types.ts';
import { History } from './history.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** Storage key of the resource, `<group>/<plural>`. */
  key: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED change, so selector watches can turn it into ADDED/DELETED. */
  prev?: KubeObject;
}

export type Listener = (event: StoreEvent) => void;

function objKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

export class Store {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<Listener>();
  readonly history: History;

  constructor(historyLimit = 10_000) {
    this.history = new History(historyLimit);
  }

  currentRv(): number {
    return this.rv;
  }

  get(key: string, ns: string, name: string): KubeObject | undefined {
    return this.objects.get(key)?.get(objKey(ns, name));
  }

  /** Objects of one resource, optionally in one namespace, sorted by namespace then name. */
  list(key: string, ns?: string): KubeObject[] {
    const all = [...(this.objects.get(key)?.values() ?? [])];
    const items = ns === undefined ? all : all.filter((o) => (o.metadata.namespace ?? '') === ns);
    return items.sort((a, b) => objKey(a.metadata.namespace ?? '', a.metadata.name ?? '').localeCompare(objKey(b.metadata.namespace ?? '', b.metadata.name ?? '')));
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** Stores a new or changed object under a fresh resourceVersion and tells watchers. */
  put(key: string, obj: KubeObject): KubeObject {
    const stored = clone(obj);
    const ns = stored.metadata.namespace ?? '';
    const name = stored.metadata.name ?? '';
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    const prev = bucket.get(objKey(ns, name));
    this.rv++;
    stored.metadata.resourceVersion = String(this.rv);
    bucket.set(objKey(ns, name), stored);
    this.emit(prev ? { type: 'MODIFIED', key, rv: this.rv, object: stored, prev } : { type: 'ADDED', key, rv: this.rv, object: stored });
    return stored;
  }

  /** Removes an object; its DELETED event carries the deletion's resourceVersion. */
  remove(key: string, ns: string, name: string): KubeObject | undefined {
    const bucket = this.objects.get(key);
    const existing = bucket?.get(objKey(ns, name));
    if (!bucket || !existing) return undefined;
    bucket.delete(objKey(ns, name));
    this.rv++;
    const gone = clone(existing);
    gone.metadata.resourceVersion = String(this.rv);
    this.emit({ type: 'DELETED', key, rv: this.rv, object: gone });
    return gone;
  }

  /** Drops a whole resource (its CRD was deleted) with DELETED events for each object. */
  removeAll(key: string): void {
    for (const o of this.list(key)) this.remove(key, o.metadata.namespace ?? '', o.metadata.name ?? '');
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.append(event);
    for (const l of [...this.listeners]) l(event);
  }
}
