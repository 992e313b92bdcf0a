/**
 * The keys whose state the RocksDB backend holds in memory, each with the prefix of its rows,
 * and which of them to forget when room is needed. Eviction is a clock (second chance) over
 * load order, as page caches do: using a cached key only sets its flag, so a prefetch of keys
 * already cached costs one lookup per key instead of a reorder; the hand of an eviction pass
 * clears the flags of the keys used since it last passed them and forgets those it finds clear.
 */
import type { KeyId } from '../key-identity.ts';

export interface CachedKey {
  readonly prefix: Buffer;
  used: boolean;
  /** Whether the written-keys filter has the key (it may have rows). */
  inFilter: boolean;
}

export class CachedKeys {
  private readonly entries = new Map<KeyId, CachedKey>();
  /** The clock's hand: where the next eviction pass goes on from. */
  private hand: Iterator<[KeyId, CachedKey]> | undefined;

  get size(): number {
    return this.entries.size;
  }

  has(id: KeyId): boolean {
    return this.entries.has(id);
  }

  /** A cached key, undefined when it is not cached. */
  get(id: KeyId): CachedKey | undefined {
    return this.entries.get(id);
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

  add(id: KeyId, prefix: Buffer, inFilter: boolean): void {
    this.entries.set(id, { prefix, used: false, inFilter });
  }

  /**
   * Forgets up to `count` keys not in `keep` that `may` allow, calling `forget` for each,
   * those not used lately first; returns how many it forgot. A pass looks at `visits` keys at
   * most (default: two rounds, the first clearing the marks it passes, the second finding
   * them clear). The hand stays where it stopped: starting over from the first key each time
   * would walk past the slots of every key evicted before, which a Map keeps until it is rehashed.
   */
  evict(count: number, keep: ReadonlySet<KeyId>, forget: (id: KeyId) => void, may?: (id: KeyId) => boolean, visits = 2 * this.entries.size + 2): number {
    let left = count;
    for (; left > 0 && visits > 0; visits--) {
      this.hand ??= this.entries.entries();
      const r = this.hand.next();
      if (r.done === true) {
        this.hand = undefined;
        continue;
      }
      const [id, e] = r.value;
      if (keep.has(id)) continue;
      if (e.used) {
        e.used = false;
        continue;
      }
      if (may !== undefined && !may(id)) continue;
      this.entries.delete(id);
      forget(id);
      left--;
    }
    return count - left;
  }

  clear(): void {
    this.entries.clear();
    this.hand = undefined;
  }
}
