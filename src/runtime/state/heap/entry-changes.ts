/**
 * The entries of one state table written or removed since the last snapshot, recorded for
 * incremental checkpoints with deltas: whole entries (namespace, key), and for map state
 * single map keys of entries that did not change whole, so a delta carries the changed map
 * entries instead of the whole map. The table swaps it for an empty one at each snapshot.
 */
import type { KeyId } from '../key-identity.ts';
import { NamespaceMap } from '../namespace-map.ts';

export class EntryChanges {
  /** namespace -> keys whose entry changed whole. */
  readonly entries = new NamespaceMap<Set<KeyId>>(() => new Set());
  /** namespace -> key -> map keys changed, for entries not changed whole. */
  readonly mapKeys = new NamespaceMap<Map<KeyId, Set<unknown>>>(() => new Map());

  get empty(): boolean {
    return this.entries.size === 0 && this.mapKeys.size === 0;
  }

  entry(namespace: string, key: KeyId): void {
    this.entries.of(namespace).add(key);
  }

  mapKey(namespace: string, key: KeyId, mapKey: unknown): void {
    if (this.entries.get(namespace)?.has(key)) return; // the whole map goes anyway
    const byKey = this.mapKeys.of(namespace);
    let keys = byKey.get(key);
    if (keys === undefined) byKey.set(key, (keys = new Set()));
    keys.add(mapKey);
  }
}
