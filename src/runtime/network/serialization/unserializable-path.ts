/**
 * Finds where in a record the value that cannot be sent sits, for the error message.
 * Runs only after encoding failed, so the encoder's hot path tracks no paths.
 */
import { MAX_DEPTH } from './tags.ts';

export interface Unserializable {
  /** Like `$.user.tags[2]`, `$.byId.get("a")`. */
  path: string;
  reason: string;
}

function describe(v: unknown): string | undefined {
  switch (typeof v) {
    case 'function':
      return `a function${v.name ? ` (${v.name})` : ''}`;
    case 'symbol':
      return `a symbol (${String(v.description)})`;
    case 'object':
      if (v === null || Array.isArray(v) || v instanceof Date || v instanceof Uint8Array || v instanceof Map || v instanceof Set) return undefined;
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `a ${v.constructor.name} (only Buffer and Uint8Array are supported)`;
      if (v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise) return `a ${v.constructor.name}`;
      return undefined;
    default:
      return undefined;
  }
}

export function findUnserializable(root: unknown): Unserializable | undefined {
  const onPath = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): Unserializable | undefined => {
    const reason = describe(v);
    if (reason !== undefined) return { path, reason };
    if (typeof v !== 'object' || v === null) return undefined;
    if (onPath.has(v)) return { path, reason: 'a circular reference' };
    if (depth >= MAX_DEPTH) return { path, reason: `nesting deeper than ${MAX_DEPTH}` };
    onPath.add(v);
    let found: Unserializable | undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !found; i++) found = walk(v[i], `${path}[${i}]`, depth + 1);
    } else if (v instanceof Map) {
      let i = 0;
      for (const [k, x] of v) {
        const keyText = typeof k === 'string' ? JSON.stringify(k) : typeof k === 'number' ? String(k) : `<key ${i}>`;
        found = walk(k, `${path}.keys()[${i}]`, depth + 1) ?? walk(x, `${path}.get(${keyText})`, depth + 1);
        if (found) break;
        i++;
      }
    } else if (v instanceof Set) {
      let i = 0;
      for (const x of v) {
        found = walk(x, `${path}.values()[${i++}]`, depth + 1);
        if (found) break;
      }
    } else if (!(v instanceof Date) && !(v instanceof Uint8Array)) {
      for (const k of Object.keys(v)) {
        const key = /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
        found = walk((v as Record<string, unknown>)[k], path + key, depth + 1);
        if (found) break;
      }
    }
    onPath.delete(v);
    return found;
  };
  return walk(root, '$', 0);
}
