// Pruning and defaulting of custom resources by their structural schema, in the order the
// real server applies them: drop unknown fields and non-nullable nulls, then default.
import type { JsonObject } from '../types.ts';
import { clone, isRecord } from '../types.ts';

function propsOf(schema: JsonObject): JsonObject | undefined {
  return isRecord(schema.properties) ? schema.properties : undefined;
}

/**
 * Removes fields the schema does not declare, unless it preserves unknown fields there;
 * the paths of removed fields are added to `dropped`.
 */
export function prune(value: unknown, schema: unknown, root = false, dropped: string[] = [], path = ''): void {
  if (!isRecord(schema)) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => prune(item, schema.items, false, dropped, `${path}[${i}]`));
    return;
  }
  if (!isRecord(value)) return;
  const props = propsOf(schema);
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    if ((root || embedded) && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const sub = props?.[key] ?? (isRecord(additional) ? additional : undefined);
    const at = path === '' ? key : `${path}.${key}`;
    if (sub === undefined) {
      if (!preserve && additional !== true) {
        delete value[key];
        dropped.push(at);
      }
      continue;
    }
    if (value[key] === null && !(isRecord(sub) && sub.nullable === true)) {
      delete value[key];
      continue;
    }
    prune(value[key], sub, false, dropped, at);
  }
}

/** Applies `default` values where a field is absent and its parent object exists. */
export function applyDefaults(value: unknown, schema: unknown): void {
  if (!isRecord(schema)) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isRecord(value)) return;
  const props = propsOf(schema);
  if (props) {
    for (const [key, sub] of Object.entries(props)) {
      if (value[key] === undefined && isRecord(sub) && sub.default !== undefined) value[key] = clone(sub.default);
      if (value[key] !== undefined) applyDefaults(value[key], sub);
    }
  }
  if (isRecord(schema.additionalProperties)) {
    for (const key of Object.keys(value)) {
      if (props?.[key] === undefined) applyDefaults(value[key], schema.additionalProperties);
    }
  }
}
