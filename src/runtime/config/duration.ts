/** Durations and sizes in Flink's notation: `30s`, `5 min`, `100ms`, `512mb`. */
import { WeirError } from '../../errors/index.ts';

const DURATION_UNITS: Record<string, number> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1, bytes: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

function parse(text: string | number, units: Record<string, number>, defaultUnit: string, key: string, kind: string): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
    if (m) {
      const unit = (m[2] || defaultUnit).toLowerCase();
      const factor = units[unit];
      if (factor !== undefined) return Math.round(Number(m[1]) * factor);
    }
  }
  throw new WeirError('INVALID_CONFIGURATION', `${key}: "${text}" is not a ${kind}; write e.g. ${kind === 'duration' ? '"30s", "5 min" or "100ms"' : '"512mb" or "1gb"'}`, false);
}

/** Milliseconds; a bare number is milliseconds. */
export function parseDuration(text: string | number, key = 'duration'): number {
  return parse(text, DURATION_UNITS, 'ms', key, 'duration');
}

/** Bytes; a bare number is bytes. */
export function parseSize(text: string | number, key = 'size'): number {
  return parse(text, SIZE_UNITS, 'b', key, 'size');
}
