// JSON merge patch (RFC 7386): objects merge recursively, null deletes, anything else replaces.
import type { JsonObject } from '../types.ts';
import { clone, isRecord } from '../types.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const out: JsonObject = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
