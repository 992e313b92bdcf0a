// resource.Quantity parsing and the resourceFieldRef rules of the downward API: a value
// divided by the divisor and rounded up, limits falling back to the node's allocatable.
import { cpus, totalmem } from 'node:os';
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+)?([a-zA-Z]*)$/.exec(String(q ?? '').trim());
  if (!m) return NaN;
  const base = Number(m[1]) * (m[2] ? 10 ** Number(m[2].slice(1)) : 1);
  const mult = SUFFIX[m[3] ?? ''];
  return mult === undefined ? NaN : base * mult;
}

/** The value of a resourceFieldRef for a container (e.g. limits.memory in bytes). */
export function resourceFieldValue(container: JsonObject, ref: JsonObject): string {
  const [kind, name] = String(ref.resource ?? '').split('.') as [string, string | undefined];
  const res = isRecord(container.resources) ? container.resources : {};
  const set = isRecord(res[kind]) ? (res[kind] as JsonObject) : {};
  const limits = isRecord(res.limits) ? res.limits : {};
  const allocatable = name === 'cpu' ? cpus().length : name === 'memory' ? totalmem() : 0;
  let value: number;
  if (set[name ?? ''] !== undefined) value = parseQuantity(set[name ?? '']);
  else if (kind === 'requests' && limits[name ?? ''] !== undefined) value = parseQuantity(limits[name ?? '']);
  else value = kind === 'limits' ? allocatable : 0;
  const divisor = ref.divisor === undefined ? 1 : parseQuantity(ref.divisor);
  return String(Math.ceil(value / (divisor || 1)));
}
