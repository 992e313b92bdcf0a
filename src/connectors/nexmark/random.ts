// Per-event deterministic randomness and the string helpers built on it.
//
// The reference seeds java.util.Random with the event id (Beam) or not at all (Flink).
// We seed a splitmix32-style generator (Weyl sequence + murmur3 fmix32) from the event
// id: a handful of integer ops per draw, no allocation, and the same event id always
// yields the same draws. Values are not bit-identical to Java; distributions are.
// The state is module-level because JS has no cheap value types; every event reseeds
// it first, so events stay independent and order-free.

// A typed-array cell, not a module-level `let`: no TDZ check on every access.
const S = new Int32Array(1);

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const HI0 = fmix32(0x632be5ab);

/** Start the draw sequence for one event id (any non-negative safe integer). */
export function seed(eventId: number): void {
  // Below 2^32 the high word is 0 and fmix32(0 + 0x632be5ab) a constant: skip it.
  S[0] = eventId <= 0xffffffff
    ? fmix32((eventId >>> 0) ^ HI0)
    : fmix32((eventId >>> 0) ^ fmix32((Math.floor(eventId * 2.3283064365386963e-10) >>> 0) + 0x632be5ab));
}

/** Next uniform 32-bit value, as a signed int32 (stays a small integer, never boxed). */
export function nextI32(): number {
  const x = (S[0] + 0x9e3779b9) | 0;
  S[0] = x;
  return fmix32(x);
}

/** Uniform integer in [0, n) for 1 <= n <= 2^32 (multiply-high; bias < n / 2^32). */
export function nextInt(n: number): number {
  // Multiplying by 2^-32 is exact and much cheaper than dividing.
  return Math.floor((nextI32() >>> 0) * n * 2.3283064365386963e-10);
}

// 10^(6k/4096) * 100 for k = 0..4096: the price power is table lookup plus a short
// Taylor series of exp() over the low 20 bits, instead of a Math.pow per bid.
const PRICE_TABLE = new Float64Array(4097);
for (let k = 0; k <= 4096; k++) PRICE_TABLE[k] = Math.pow(10, (6 * k) / 4096) * 100;
const PRICE_FRAC = (6 * Math.LN10) / 4294967296;

/**
 * PriceGenerator.nextPrice: round(10^(6u) * 100) cents for uniform u, 100 .. 100,000,000.
 * Within 1 cent of the Math.pow form for the same u.
 */
export function nextPrice(): number {
  const u = nextI32() >>> 0;
  const x = (u & 0xfffff) * PRICE_FRAC;
  return Math.round(PRICE_TABLE[u >>> 20] * (1 + x * (1 + x * (0.5 + x * (1 / 6)))));
}

/** Save/restore around side computations (lazy caches) made in the middle of an event. */
export function saveState(): number {
  return S[0];
}
export function restoreState(s: number): void {
  S[0] = s;
}

// String pools. The reference builds every string char by char; we draw an offset and
// length and slice a fixed random pool, which V8 turns into a cheap sliced string.
// Lengths follow the reference exactly; contents are pool windows.
const POOL_SIZE = 1 << 16;
const MAX_SLICE = 4096;

function buildPool(spaceChar: string, seedValue: number): string {
  const saved = S[0];
  seed(seedValue);
  const parts: string[] = new Array<string>(POOL_SIZE + MAX_SLICE);
  for (let i = 0; i < parts.length; i++) {
    // nextString: 1 in 13 chars is the special char, else a-z. nextExactString: a-z only.
    parts[i] = spaceChar !== '' && nextInt(13) === 0 ? spaceChar : String.fromCharCode(97 + nextInt(26));
  }
  S[0] = saved;
  return parts.join('');
}

const LETTERS = buildPool('', 0x5eed_0001);
const WORDS = buildPool(' ', 0x5eed_0002);
const UNDERSCORED = buildPool('_', 0x5eed_0003);

function slice(pool: string, len: number): string {
  const off = nextInt(POOL_SIZE);
  return pool.substring(off, off + len);
}

function exactString(length: number, off: number): string {
  if (length <= 0) return '';
  if (length > MAX_SLICE) return LETTERS.substring(0, MAX_SLICE).repeat(Math.ceil(length / MAX_SLICE)).substring(0, length);
  return LETTERS.substring(off, off + length);
}

/** StringsGenerator.nextExactString: `length` letters a-z. */
export function nextExactString(length: number): string {
  return exactString(length, nextInt(POOL_SIZE));
}

/** StringsGenerator.nextString(maxLength, ' '|'_'): 3 .. maxLength-1 chars, trimmed. */
export function nextString(maxLength: number, underscore = false): string {
  const len = 3 + nextInt(maxLength - 3);
  const s = slice(underscore ? UNDERSCORED : WORDS, len);
  if (underscore) return s;
  // Java's trim() only strips the space; skip the copy when there is nothing to strip.
  return s.charCodeAt(0) === 32 || s.charCodeAt(len - 1) === 32 ? s.trim() : s;
}

/** StringsGenerator.nextExtra: padding so currentSize + length averages desiredAverageSize. */
export function nextExtra(currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const rest = desiredAverageSize - currentSize;
  const delta = Math.round(rest * 0.2);
  // One draw for both: the length comes from the high bits, the pool offset from the low 16.
  const u = nextI32() >>> 0;
  const size = rest - delta + (delta === 0 ? 0 : Math.floor(u * (2 * delta) * 2.3283064365386963e-10));
  return exactString(size, u & (POOL_SIZE - 1));
}
