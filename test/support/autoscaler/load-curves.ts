/**
 * Input rates (records per second arriving at the job's Kafka topic) over a simulated day,
 * each a function of simulated seconds. Noise comes from a seeded generator, so every policy
 * sees exactly the same load and a run is repeatable.
 */

export const DAY_S = 24 * 3600;

export interface LoadCurve {
  name: string;
  what: string;
  rate(t: number): number;
}

/** Mulberry32: small, fast, seeded. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Noise that holds for `stepS` seconds at a time (load changes by the minute, not by the tick), +/- `share`. */
export function noise(seed: number, share: number, stepS = 60): (t: number) => number {
  const random = seeded(seed);
  const values = Array.from({ length: Math.ceil(DAY_S / stepS) + 1 }, () => 1 + share * (2 * random() - 1));
  return (t) => values[Math.min(values.length - 1, Math.floor(t / stepS))]!;
}

/** `rate` per second +/- `share` by the minute. */
export function steadyWithNoise(rate: number, share: number, seed: number): LoadCurve {
  const n = noise(seed, share);
  return { name: 'steady+noise', what: `${rate / 1000}K/s +/-${share * 100}% by the minute`, rate: (t) => rate * n(t) };
}

/** A ramp from `low` to `high` over each `periodS`, then a drop back, +/- `share` by the minute. */
export function sawtooth(low: number, high: number, periodS: number, share: number, seed: number): LoadCurve {
  const n = noise(seed, share);
  return { name: 'sawtooth', what: `${low / 1000}K-${high / 1000}K/s ramp each ${periodS / 3600} h, then drop, +/-${share * 100}%`, rate: (t) => (low + (high - low) * ((t % periodS) / periodS)) * n(t) };
}

export function loadCurves(): LoadCurve[] {
  const n1 = noise(1, 0.05);
  const n2 = noise(2, 0.05);
  const n4 = noise(4, 0.05);
  return [
    { name: 'diurnal', what: '2K-22K/s over the day, +/-5%', rate: (t) => (12_000 - 10_000 * Math.cos((2 * Math.PI * t) / DAY_S)) * n1(t) },
    { name: 'spike', what: '5K/s, 25K/s for 10 min every 4 h, +/-5%', rate: (t) => (t % (4 * 3600) >= 2 * 3600 && t % (4 * 3600) < 2 * 3600 + 600 ? 25_000 : 5_000) * n2(t) },
    sawtooth(3_000, 18_000, 3600, 0.05, 3),
    { name: 'step', what: '4K, 16K, 8K, 20K/s for 6 h each, +/-5%', rate: (t) => [4_000, 16_000, 8_000, 20_000][Math.min(3, Math.floor(t / (6 * 3600)))]! * n4(t) },
    steadyWithNoise(10_000, 0.15, 5),
  ];
}
