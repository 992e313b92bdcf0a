/**
 * Key groups (DESIGN section 2): keyGroup = murmur3_32(keyBytes) mod maxParallelism,
 * subtask = floor(keyGroup * parallelism / maxParallelism).
 *
 * keyBytes is the canonical byte encoding of a key: strings as UTF-8, finite numbers
 * as 8-byte big-endian IEEE-754 doubles, bigints and booleans as UTF-8 of a tagged text,
 * and arrays (composite keys) as the concatenation of their elements' encodings with a
 * separator. Hashing works on the encoding directly, without allocating, because it runs
 * once per record.
 */
import { WeirError } from '../../errors/index.ts';

export const DEFAULT_MAX_PARALLELISM = 128;
/** Largest maxParallelism, as in Flink (2^15). */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

export type KeyValue = string | number | bigint | boolean | readonly KeyValue[];

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Incremental murmur3_32 (x86, seed 0) over a byte stream fed one byte at a time. */
class Murmur3 {
  h = 0;
  private k = 0;
  private n = 0;

  byte(b: number): void {
    this.k |= (b & 0xff) << ((this.n & 3) * 8);
    this.n++;
    if ((this.n & 3) === 0) {
      this.h = mixH(this.h, this.k);
      this.k = 0;
    }
  }

  finish(): number {
    let h = this.h;
    if ((this.n & 3) !== 0) h ^= mixK(this.k);
    h ^= this.n;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  reset(): void {
    this.h = 0;
    this.k = 0;
    this.n = 0;
  }

  /** Continues a stream whose first `bytes` bytes (a multiple of 4) left the state `h`. */
  resume(h: number, bytes: number): void {
    this.h = h;
    this.k = 0;
    this.n = bytes;
  }
}

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3_32 with seed 0 over a byte array; the reference the key hash must agree with. */
export function murmur3_32(bytes: Uint8Array): number {
  const m = new Murmur3();
  for (let i = 0; i < bytes.length; i++) m.byte(bytes[i]!);
  return m.finish();
}

const scratch = new Murmur3();
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function feedUtf8(m: Murmur3, s: string): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      m.byte(c);
    } else if (c < 0x800) {
      m.byte(0xc0 | (c >> 6));
      m.byte(0x80 | (c & 0x3f));
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
          m.byte(0xf0 | (c >> 18));
          m.byte(0x80 | ((c >> 12) & 0x3f));
          m.byte(0x80 | ((c >> 6) & 0x3f));
          m.byte(0x80 | (c & 0x3f));
          continue;
        }
      }
      // Lone surrogates encode as U+FFFD, as TextEncoder does.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      m.byte(0xe0 | (c >> 12));
      m.byte(0x80 | ((c >> 6) & 0x3f));
      m.byte(0x80 | (c & 0x3f));
    }
  }
}

function feedKey(m: Murmur3, key: KeyValue): void {
  switch (typeof key) {
    case 'string':
      feedUtf8(m, key);
      return;
    case 'number':
      if (!Number.isFinite(key)) throw invalidKey(`the number ${key}`);
      f64[0] = key === 0 ? 0 : key; // -0 and 0 are the same key
      if (littleEndian) for (let i = 7; i >= 0; i--) m.byte(f64Bytes[i]!);
      else for (let i = 0; i < 8; i++) m.byte(f64Bytes[i]!);
      return;
    case 'bigint':
      feedUtf8(m, `n:${key}`);
      return;
    case 'boolean':
      feedUtf8(m, key ? 'b:true' : 'b:false');
      return;
    default:
      if (Array.isArray(key)) {
        for (let i = 0; i < key.length; i++) {
          if (i > 0) m.byte(0x1f);
          feedKey(m, key[i] as KeyValue);
        }
        return;
      }
      throw invalidKey(describeValue(key));
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return `an object (${v.constructor?.name ?? 'Object'})`;
  return `a ${typeof v}`;
}

function invalidKey(what: string): WeirError {
  return new WeirError(
    'INVALID_KEY',
    `a key selector returned ${what}; keys must be strings, finite numbers, bigints, booleans or arrays of those`,
    true,
  );
}

/** Throws INVALID_KEY for values that cannot be keys; used by key selectors. */
export function checkKey(key: unknown): asserts key is KeyValue {
  if (typeof key === 'string' || typeof key === 'bigint' || typeof key === 'boolean') return;
  if (typeof key === 'number') {
    if (!Number.isFinite(key)) throw invalidKey(`the number ${key}`);
    return;
  }
  if (Array.isArray(key)) {
    for (const k of key) checkKey(k);
    return;
  }
  throw invalidKey(describeValue(key));
}

const u32 = new Uint32Array(f64.buffer);
const [HI, LO] = littleEndian ? [1, 0] : [0, 1];

function bswap(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Murmur3's finalizer; returns the hash as a signed 32-bit integer (see hash32). */
function fmix(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A number's 8 big-endian bytes are two 4-byte blocks: two mixes, no byte loop. */
function hashNumber(key: number): number {
  if (!Number.isFinite(key)) throw invalidKey(`the number ${key}`);
  f64[0] = key === 0 ? 0 : key; // -0 and 0 are the same key
  return fmix(mixH(mixH(0, bswap(u32[HI]!)), bswap(u32[LO]!)), 8);
}

/** ASCII runs go four characters per block; the first other character hands over to the byte stream. */
function hashString(key: string): number {
  const len = key.length;
  let h = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) break;
    h = mixH(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  if (i === len) return fmix(h, len);
  let tail = true;
  for (let j = i; j < len; j++) {
    if (key.charCodeAt(j) >= 0x80) {
      tail = false;
      break;
    }
  }
  if (tail) {
    // At most three ASCII characters remain.
    let k = 0;
    for (let j = i; j < len; j++) k |= key.charCodeAt(j) << ((j - i) * 8);
    return fmix(h ^ mixK(k), len);
  }
  scratch.resume(h, i);
  feedUtf8(scratch, i === 0 ? key : key.slice(i));
  return scratch.finish() | 0;
}

/**
 * The key hash as a signed 32-bit integer: a function that returns an unsigned value above
 * 2^31 hands back a boxed number, an allocation per record, so callers reinterpret it.
 */
function hash32(key: KeyValue): number {
  if (typeof key === 'number') return hashNumber(key);
  if (typeof key === 'string') return hashString(key);
  scratch.reset();
  feedKey(scratch, key);
  return scratch.finish() | 0;
}

export function hashKey(key: KeyValue): number {
  return hash32(key) >>> 0;
}

export function keyGroupFor(key: KeyValue, maxParallelism: number): number {
  return (hash32(key) >>> 0) % maxParallelism;
}

export function subtaskForKeyGroup(keyGroup: number, parallelism: number, maxParallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The contiguous, inclusive range of key groups one subtask owns. */
export class KeyGroupRange {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  static forSubtask(maxParallelism: number, parallelism: number, subtask: number): KeyGroupRange {
    const start = Math.ceil((subtask * maxParallelism) / parallelism);
    const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
    return new KeyGroupRange(start, end);
  }

  contains(keyGroup: number): boolean {
    return keyGroup >= this.start && keyGroup <= this.end;
  }

  get size(): number {
    return this.end - this.start + 1;
  }
}

/** Validates a (parallelism, maxParallelism) pair and says how to fix a bad one. */
export function checkParallelism(parallelism: number, maxParallelism: number, where: string): void {
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new WeirError('INVALID_PARALLELISM', `${where}: parallelism must be a whole number >= 1, got ${parallelism}`, false);
  }
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw new WeirError(
      'INVALID_PARALLELISM',
      `${where}: maxParallelism must be a whole number from 1 to ${UPPER_BOUND_MAX_PARALLELISM}, got ${maxParallelism}`,
      false,
    );
  }
  if (parallelism > maxParallelism) {
    throw new WeirError(
      'INVALID_PARALLELISM',
      `${where}: parallelism ${parallelism} is above maxParallelism ${maxParallelism}; lower the parallelism or raise maxParallelism`,
      false,
    );
  }
}
