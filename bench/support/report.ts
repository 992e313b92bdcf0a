/**
 * What every benchmark prints beside its figures: the machine's state (so figures taken on
 * a busy or a different machine are not compared as equals), rates, spreads and verdicts.
 */
import { availableParallelism, loadavg } from 'node:os';

/** Node version, CPUs and load average right now; printed with every block of figures. */
export function machineLine(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `[node ${process.version}, ${availableParallelism()} CPUs, load average ${one} ${five} ${fifteen} (1/5/15 min)]`;
}

/** 1234567 -> "1.23M", 45678 -> "46K". */
export function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return n.toFixed(0);
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median (the lower middle for an even count), min and max of a non-empty list. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function fmtSpread(s: Spread, fmt: (n: number) => string = fmtRate): string {
  return `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
