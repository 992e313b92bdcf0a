// Uniqueness of x-kubernetes-list-type map (by its list-map-keys) and set lists, which
// the real server checks in addition to the OpenAPI schema.
import type { StatusCause } from '../errors.ts';
import { isRecord } from '../types.ts';
import { goValue } from './validate.ts';

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function listCauses(value: unknown, schema: unknown, path = ''): StatusCause[] {
  if (!isRecord(schema)) return [];
  const out: StatusCause[] = [];
  if (Array.isArray(value)) {
    const type = schema['x-kubernetes-list-type'];
    const keys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? schema['x-kubernetes-list-map-keys'].map(String) : [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (type === 'map' && isRecord(item)) {
        const id = JSON.stringify(keys.map((k) => item[k]));
        if (seen.has(id)) {
          const shown = keys.map((k) => `${JSON.stringify(k)}:${goValue(item[k])}`).join(', ');
          out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: map[string]interface {}{${shown}}`, field: `${path}[${i}]` });
        }
        seen.add(id);
      } else if (type === 'set') {
        const id = JSON.stringify(item);
        if (seen.has(id)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(item)}`, field: `${path}[${i}]` });
        seen.add(id);
      }
      out.push(...listCauses(item, schema.items, `${path}[${i}]`));
    });
    return out;
  }
  if (!isRecord(value)) return out;
  const props = isRecord(schema.properties) ? schema.properties : {};
  for (const [k, v] of Object.entries(value)) {
    const sub = props[k] ?? (isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (sub !== undefined) out.push(...listCauses(v, sub, child(path, k)));
  }
  return out;
}
