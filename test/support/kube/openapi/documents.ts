// /openapi/v3 as the real server serves it: a root listing one document per group-version
// (with a content hash in its URL, which clients cache by), and per group-version the paths of
// its resources (operations tagged with x-kubernetes-group-version-kind and -action, and the
// query parameters they take, which is how kubectl learns that the server validates fields
// itself) and the schemas of its kinds (built-ins from client-node's models, custom resources
// from their CRD).
import { createHash } from 'node:crypto';
import type { Registry } from '../resources/registry.ts';
import type { ResourceType } from '../resources/types.ts';
import { builtinTypeName } from '../schema/builtin-fields.ts';
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { builtinComponents, componentName, hasBuiltinModel, ref } from './builtin-schemas.ts';
import { operations } from './operations.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const OBJECT_META = `${META}.ObjectMeta`;
const LIST_META = `${META}.ListMeta`;

/** The document path of a group-version: `api/v1`, `apis/apps/v1`. */
export function gvPath(rt: { group: string; version: string }): string {
  return rt.group ? `apis/${rt.group}/${rt.version}` : `api/${rt.version}`;
}

function gvkExtension(rt: ResourceType, kind = rt.kind): JsonObject {
  return { 'x-kubernetes-group-version-kind': [{ group: rt.group, version: rt.version, kind }] };
}

/** io.k8s.api.apps.v1.Deployment for built-ins; dev.weir.v1alpha1.StreamDeployment (reversed group) for custom resources. */
export function kindComponent(rt: ResourceType, kind = rt.kind): string {
  if (!rt.custom) return componentName(builtinTypeName(rt.group, rt.version, kind));
  return `${rt.group.split('.').reverse().join('.')}.${rt.version}.${kind}`;
}

/** A CRD's schema as the server publishes it: metadata is ObjectMeta, and the kind's GVK is attached. */
function customSchema(rt: ResourceType): JsonObject {
  const schema = isRecord(rt.openAPISchema) ? structuredClone(rt.openAPISchema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = isRecord(schema.properties) ? schema.properties : {};
  schema.properties = {
    ...properties,
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [ref(OBJECT_META)], description: "Standard object's metadata." },
  };
  return { ...schema, ...gvkExtension(rt) };
}

function listSchema(rt: ResourceType): JsonObject {
  return {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      items: { type: 'array', items: ref(kindComponent(rt)) },
      metadata: ref(LIST_META),
    },
    ...gvkExtension(rt, rt.listKind),
  };
}

/** The schemas a group-version document needs: its kinds and lists, and the meta types every operation uses. */
function components(types: readonly ResourceType[]): JsonObject {
  const schemas: JsonObject = {};
  const roots = ['V1ObjectMeta', 'V1ListMeta', 'V1Status', 'V1DeleteOptions'];
  for (const rt of types) {
    if (rt.custom) {
      schemas[kindComponent(rt)] = customSchema(rt);
      schemas[kindComponent(rt, rt.listKind)] = listSchema(rt);
      continue;
    }
    const model = builtinTypeName(rt.group, rt.version, rt.kind);
    if (!hasBuiltinModel(model)) continue;
    roots.push(model);
    if (hasBuiltinModel(`${model}List`)) roots.push(`${model}List`);
    if (rt.scale) roots.push('V1Scale');
  }
  Object.assign(schemas, builtinComponents(roots));
  for (const rt of types) {
    if (rt.custom) continue;
    const name = kindComponent(rt);
    if (isRecord(schemas[name])) schemas[name] = { ...schemas[name], ...gvkExtension(rt) };
    const list = kindComponent(rt, rt.listKind);
    if (isRecord(schemas[list])) schemas[list] = { ...schemas[list], ...gvkExtension(rt, rt.listKind) };
  }
  schemas[`${META}.Patch`] = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
  return schemas;
}

export function gvDocument(registry: Registry, path: string): JsonObject | undefined {
  const types = registry.all().filter((t) => gvPath(t) === path);
  if (types.length === 0) return undefined;
  const paths: JsonObject = {};
  for (const rt of types) Object.assign(paths, operations(rt, kindComponent(rt), kindComponent(rt, rt.listKind)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.0-weir-test' },
    paths,
    components: { schemas: components(types) },
  };
}

interface Built {
  revision: number;
  docs: Map<string, { text: string; hash: string }>;
}

/** Builds the documents once per set of served types; CRD changes make new ones. */
export class OpenApiDocuments {
  private built: Built | undefined;

  constructor(private readonly registry: Registry) {}

  private current(): Built {
    if (this.built?.revision === this.registry.revision) return this.built;
    const docs = new Map<string, { text: string; hash: string }>();
    for (const path of new Set(this.registry.all().map(gvPath))) {
      const text = JSON.stringify(gvDocument(this.registry, path));
      docs.set(path, { text, hash: createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase() });
    }
    this.built = { revision: this.registry.revision, docs };
    return this.built;
  }

  /** GET /openapi/v3 */
  root(): JsonObject {
    const paths: JsonObject = {};
    for (const [path, doc] of this.current().docs) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` };
    return { paths };
  }

  /** GET /openapi/v3/<path>, as JSON text, or undefined for 404. */
  document(path: string): string | undefined {
    return this.current().docs.get(path)?.text;
  }
}
