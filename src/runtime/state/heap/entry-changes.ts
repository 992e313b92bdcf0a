/**
 * The entries of one state table written or removed since the last snapshot, recorded for
 * incremental checkpoints with deltas: whole entries (namespace, key), and for map state
 * single map keys of entries that did not change whole, so a delta carries the changed map
 * entries instead of the whole map. The table swaps it for an empty one at each snapshot.
 */
import type { KeyId } from '../key-identity.ts';

export class EntryChanges {
  /** namespace -> keys whose entry changed whole. */
  readonly entries = new Map<string, Set<KeyId>>();
  /** namespace -> key -> map keys changed, for entries not changed whole. */
  readonly mapKeys = new Map<string, Map<KeyId, Set<unknown>>>();
  /** The last namespace's set: writes come in runs of one namespace. */
  private lastNamespace: string | undefined;
  private last: Set<KeyId> | undefined;
  private lastMapNamespace: string | undefined;
  private lastByKey: Map<KeyId, Set<unknown>> | undefined;

  get empty(): boolean {
    return this.entries.size === 0 && this.mapKeys.size === 0;
  }

  entry(namespace: string, key: KeyId): void {
    let s = this.last;
    if (namespace !== this.lastNamespace || s === undefined) {
      s = this.entries.get(namespace);
      if (s === undefined) this.entries.set(namespace, (s = new Set()));
      this.lastNamespace = namespace;
      this.last = s;
    }
    s.add(key);
  }

  mapKey(namespace: string, key: KeyId, mapKey: unknown): void {
    const whole = namespace === this.lastNamespace ? this.last : this.entries.get(namespace);
    if (whole?.has(key)) return; // the whole map goes anyway
    let byKey = namespace === this.lastMapNamespace ? this.lastByKey : this.mapKeys.get(namespace);
    if (byKey === undefined) this.mapKeys.set(namespace, (byKey = new Map()));
    this.lastMapNamespace = namespace;
    this.lastByKey = byKey;
    let keys = byKey.get(key);
    if (keys === undefined) byKey.set(key, (keys = new Set()));
    keys.add(mapKey);
  }
}
