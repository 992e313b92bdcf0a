// Unknown fields of built-in kinds, found by walking client-node's generated model
// attribute maps (the same OpenAPI the real server decodes with). The real server drops
// them (with a warning, or a 400 under fieldValidation=Strict); so does this one.
import * as k8s from '@kubernetes/client-node';
import { isRecord } from '../types.ts';

interface Attribute {
  baseName: string;
  type: string;
}

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

/** client-node's model name for a kind, e.g. V1Deployment, CoreV1Event. */
export function builtinTypeName(group: string, version: string, kind: string): string {
  if (kind === 'Event') return group === '' ? 'CoreV1Event' : 'EventsV1Event';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

export function hasModel(type: string): boolean {
  return typeof models[type]?.getAttributeTypeMap === 'function';
}

/** Deletes fields `type` does not declare and adds their paths to `dropped`. */
export function pruneBuiltin(value: unknown, type: string, dropped: string[], path = ''): void {
  if (type.startsWith('Array<') && Array.isArray(value)) {
    const inner = type.slice('Array<'.length, -1);
    value.forEach((item, i) => pruneBuiltin(item, inner, dropped, `${path}[${i}]`));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map && isRecord(value)) {
    for (const [k, v] of Object.entries(value)) pruneBuiltin(v, map[1]!, dropped, path === '' ? k : `${path}.${k}`);
    return;
  }
  const model = models[type];
  if (!model?.getAttributeTypeMap || !isRecord(value)) return;
  const known = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const key of Object.keys(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    const t = known.get(key);
    if (t === undefined) {
      delete value[key];
      dropped.push(at);
    } else {
      pruneBuiltin(value[key], t, dropped, at);
    }
  }
}
