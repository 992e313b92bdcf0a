// Validates custom resources with ajv and reports each violation as a StatusCause worded
// like the real server's (k8s.io/kube-openapi validation errors as surfaced in 422s).
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { StatusCause } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { toJsonSchema } from './openapi.ts';

const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true });
const always = (): boolean => true;
for (const f of ['int32', 'int64', 'float', 'double', 'password', 'binary', 'hostname', 'uri', 'email', 'duration', 'quantity']) {
  ajv.addFormat(f, always);
}
ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('uuid', /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/);

export type Validator = (obj: unknown) => StatusCause[];

function fieldPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Go's %v-ish rendering used in "Invalid value: X" (strings quoted, numbers bare). */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function cause(e: ErrorObject, root: unknown): StatusCause | undefined {
  const field = fieldPath(e.instancePath);
  const value = valueAt(root, e.instancePath);
  const p = e.params as JsonObject;
  const inBody = `${field} in body`;
  const invalidMsg = (text: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: ${inBody} ${text}`, field });
  switch (e.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      return { reason: 'FieldValueRequired', message: 'Required value', field: field ? `${field}.${missing}` : missing };
    }
    case 'type': {
      const want = Array.isArray(p.type) ? (p.type as string[]).filter((t) => t !== 'null').join(',') : String(p.type);
      const got = typeName(value);
      return { reason: 'FieldValueTypeInvalid', message: `Invalid value: "${got}": ${inBody} must be of type ${want}: "${got}"`, field };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).filter((v) => v !== null).map(goValue).join(', ');
      return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${goValue(value)}: supported values: ${allowed}`, field };
    }
    case 'minimum': return invalidMsg(`should be greater than or equal to ${String(p.limit)}`);
    case 'maximum': return invalidMsg(`should be less than or equal to ${String(p.limit)}`);
    case 'exclusiveMinimum': return invalidMsg(`should be greater than ${String(p.limit)}`);
    case 'exclusiveMaximum': return invalidMsg(`should be less than ${String(p.limit)}`);
    case 'multipleOf': return invalidMsg(`should be a multiple of ${String(p.multipleOf)}`);
    case 'minLength': return invalidMsg(`should be at least ${String(p.limit)} chars long`);
    case 'maxLength': return { reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${String(p.limit)}`, field };
    case 'pattern': return invalidMsg(`should match '${String(p.pattern)}'`);
    case 'minItems': return invalidMsg(`should have at least ${String(p.limit)} items`);
    case 'maxItems': return { reason: 'FieldValueTooMany', message: `Too many: ${Array.isArray(value) ? value.length : 0}: must have at most ${String(p.limit)} items`, field };
    case 'minProperties': return invalidMsg(`should have at least ${String(p.limit)} properties`);
    case 'maxProperties': return invalidMsg(`should have at most ${String(p.limit)} properties`);
    case 'uniqueItems': {
      const arr = Array.isArray(value) ? value : [];
      return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(arr[Number(p.i)])}`, field: `${field}[${String(p.i)}]` };
    }
    case 'format': return { reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: ${inBody} must be of type ${String(p.format)}: ${goValue(value)}`, field };
    case 'oneOf': return invalidMsg('must validate one and only one schema (oneOf)');
    case 'anyOf': return invalidMsg('must validate at least one schema (anyOf)');
    case 'not': return invalidMsg('must not validate the schema (not)');
    default: return { reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: ${e.message ?? e.keyword}`, field };
  }
}

function valueAt(root: unknown, instancePath: string): unknown {
  let cur = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isRecord(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

export function compileValidator(openAPIV3Schema: unknown): Validator {
  const fn: ValidateFunction = ajv.compile(toJsonSchema(openAPIV3Schema));
  return (obj) => {
    if (fn(obj)) return [];
    const out: StatusCause[] = [];
    for (const e of fn.errors ?? []) {
      const c = cause(e, obj);
      if (c && !out.some((o) => o.field === c.field && o.message === c.message)) out.push(c);
    }
    return out;
  };
}
