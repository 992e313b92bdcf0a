// Turns a CRD's OpenAPI v3 (structural) schema into a JSON Schema that ajv understands:
// OpenAPI's boolean exclusiveMinimum, `nullable` and the x-kubernetes extensions differ
// from draft-07, and the extensions must not reach ajv as unknown keywords.
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';

const COPIED = [
  'type', 'required', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
  'uniqueItems', 'multipleOf', 'minProperties', 'maxProperties', 'format',
];

export function toJsonSchema(schema: unknown): JsonObject {
  if (!isRecord(schema)) return {};
  const out: JsonObject = {};
  for (const key of COPIED) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.exclusiveMinimum === true && typeof schema.minimum === 'number') {
    out.exclusiveMinimum = schema.minimum;
    delete out.minimum;
  }
  if (schema.exclusiveMaximum === true && typeof schema.maximum === 'number') {
    out.exclusiveMaximum = schema.maximum;
    delete out.maximum;
  }
  if (isRecord(schema.properties)) {
    const props: JsonObject = {};
    for (const [k, v] of Object.entries(schema.properties)) props[k] = toJsonSchema(v);
    out.properties = props;
  }
  if (isRecord(schema.items)) out.items = toJsonSchema(schema.items);
  if (isRecord(schema.additionalProperties)) out.additionalProperties = toJsonSchema(schema.additionalProperties);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) out[key] = list.map((s) => toJsonSchema(s));
  }
  if (isRecord(schema.not)) out.not = toJsonSchema(schema.not);
  if (schema['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    // The usual anyOf [integer, string] companion adds nothing once the type says it.
    delete out.anyOf;
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) out.type = [...(out.type as unknown[]), 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}
