// OpenAPI v3 schemas of the built-in kinds, built from client-node's generated models (the
// same source the server prunes unknown fields with): types, formats, and the strategic
// merge patch keys kubectl needs to compute an apply patch from the document.
import * as k8s from '@kubernetes/client-node';
import { MERGE_KEYS, PRIMITIVE_MERGE } from '../patch/strategic.ts';
import type { JsonObject } from '../types.ts';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

function attributes(model: string): Attribute[] | undefined {
  return models[model]?.getAttributeTypeMap?.();
}

/** apimachinery's meta/v1 types keep their real names: clients know them by these. */
const META_TYPES = new Set([
  'ObjectMeta', 'ListMeta', 'OwnerReference', 'ManagedFieldsEntry', 'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions',
  'Preconditions', 'LabelSelector', 'LabelSelectorRequirement', 'Condition',
]);

/** The component name of a client-node model: V1PodSpec -> io.k8s.api.v1.PodSpec, CoreV1Event -> io.k8s.api.core.v1.Event. */
export function componentName(model: string): string {
  const meta = /^V1([A-Z].*)$/.exec(model)?.[1];
  if (meta !== undefined && META_TYPES.has(meta)) return `io.k8s.apimachinery.pkg.apis.meta.v1.${meta}`;
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(model);
  if (!m) return `io.k8s.api.${model}`;
  return `io.k8s.api.${m[1] ? `${m[1].toLowerCase()}.` : ''}${m[2]!.toLowerCase()}.${m[3]!}`;
}

export const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

const LIST = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

function typeSchema(type: string, format: string, found: Set<string>): JsonObject {
  const list = LIST.exec(type);
  if (list) return { type: 'array', items: typeSchema(list[1]!, format, found) };
  const map = MAP.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, format === 'byte' ? 'byte' : '', found) };
  switch (type) {
    case 'string': return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'number': return format === 'double' ? { type: 'number', format: 'double' } : format ? { type: 'integer', format } : { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'Date':
    case 'V1MicroTime': return { type: 'string', format: 'date-time' };
    case 'IntOrString': return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    case 'any':
    case 'object': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      if (attributes(type)) {
        found.add(type);
        return ref(componentName(type));
      }
      return {};
  }
}

/** Lists that merge element-wise under a strategic merge patch, as Kubernetes tags them. */
function patchExtensions(field: string, itemType: string | undefined): JsonObject {
  if (PRIMITIVE_MERGE.has(field)) return { 'x-kubernetes-patch-strategy': 'merge' };
  if (!itemType) return {};
  const keys = new Set((attributes(itemType) ?? []).map((a) => a.baseName));
  const key = field === 'ports' ? (keys.has('containerPort') ? 'containerPort' : 'port') : MERGE_KEYS[field];
  return key !== undefined && keys.has(key) ? { 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge' } : {};
}

function modelSchema(model: string, found: Set<string>): JsonObject {
  const properties: JsonObject = {};
  for (const a of attributes(model) ?? []) {
    const item = LIST.exec(a.type)?.[1];
    properties[a.baseName] = { ...typeSchema(a.type, a.format, found), ...patchExtensions(a.baseName, item && attributes(item) ? item : undefined) };
  }
  return { type: 'object', properties };
}

/** Schemas of `roots` and every model they reference, by component name. */
export function builtinComponents(roots: readonly string[]): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  const pending = roots.filter((r) => attributes(r) !== undefined);
  const seen = new Set(pending);
  while (pending.length > 0) {
    const model = pending.pop()!;
    const found = new Set<string>();
    out[componentName(model)] = modelSchema(model, found);
    for (const f of found) {
      if (seen.has(f)) continue;
      seen.add(f);
      pending.push(f);
    }
  }
  return out;
}

export function hasBuiltinModel(model: string): boolean {
  return attributes(model) !== undefined;
}
