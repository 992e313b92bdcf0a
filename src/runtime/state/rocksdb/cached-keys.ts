/**
 * The keys whose state the RocksDB backend holds in memory, each with the prefix of its rows,
 * and which of them to forget when room is needed. Eviction is a clock (second chance) over
 * load order, as page caches do: using a cached key only sets its flag, so a prefetch of keys
 * already cached costs one lookup per key instead of a reorder; an eviction pass moves the
 * keys used since they were last passed behind the others and forgets the first that were not.
 */
import type { KeyId } from '../key-identity.ts';

interface CachedKey {
  readonly prefix: Buffer;
  used: boolean;
}

export class CachedKeys {
  private readonly entries = new Map<KeyId, CachedKey>();

  get size(): number {
    return this.entries.size;
  }

  has(id: KeyId): boolean {
    return this.entries.has(id);
  }

  /** The row prefix of a cached key, undefined when it is not cached. */
  prefixOf(id: KeyId): Buffer | undefined {
    return this.entries.get(id)?.prefix;
  }

  /** Marks a key used; false when it is not cached. */
  use(id: KeyId): boolean {
    const e = this.entries.get(id);
    if (e === undefined) return false;
    e.used = true;
    return true;
  }

  add(id: KeyId, prefix: Buffer): void {
    this.entries.set(id, { prefix, used: false });
  }

  /** Forgets up to `count` keys not in `keep`, calling `forget` for each, those not used lately first. */
  evict(count: number, keep: ReadonlySet<KeyId>, forget: (id: KeyId) => void): void {
    let left = count;
    // A Map iterates what is re-inserted behind the cursor too: a key given its second chance
    // comes round again, unflagged, if nothing else could go.
    for (const [id, e] of this.entries) {
      if (left <= 0) return;
      if (keep.has(id)) continue;
      this.entries.delete(id);
      if (e.used) {
        e.used = false;
        this.entries.set(id, e);
        continue;
      }
      forget(id);
      left--;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
