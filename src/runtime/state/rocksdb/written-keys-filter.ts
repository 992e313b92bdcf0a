/**
 * A Bloom filter of the keys this attempt wrote to RocksDB. The database starts empty in
 * every attempt (a fresh directory, filled only by restore and by the cache's write
 * batches), so a key the filter has never seen has no rows: a prefetch marks it cached
 * without reading. Most keys of a stream are new when first seen (an auction, a session),
 * and a read of a key RocksDB does not hold is the most common read there is. A false
 * positive costs one read that finds nothing.
 */
const HASHES = 3;

export class WrittenKeysFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  /** `log2Bits` bits of memory (2^24 bits: 2 MiB, about 5% false positives at 2M keys). */
  constructor(log2Bits = 24) {
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  add(prefix: Uint8Array): void {
    let h = hash(prefix, 0x811c9dc5);
    const step = hash(prefix, 0x01000193) | 1;
    for (let i = 0; i < HASHES; i++) {
      const bit = h & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
      h = (h + step) >>> 0;
    }
  }

  mayHave(prefix: Uint8Array): boolean {
    let h = hash(prefix, 0x811c9dc5);
    const step = hash(prefix, 0x01000193) | 1;
    for (let i = 0; i < HASHES; i++) {
      const bit = h & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      h = (h + step) >>> 0;
    }
    return true;
  }
}

/** FNV-1a from `seed`. */
function hash(bytes: Uint8Array, seed: number): number {
  let h = seed;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
