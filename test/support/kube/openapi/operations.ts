// The paths and operations of one resource in an OpenAPI v3 document, shaped like the real
// server's: each operation names its group-version-kind and action (clients find a kind's
// PATCH operation by them, and learn from its query parameters that the server takes
// fieldValidation), and PATCH lists the patch types the resource accepts.
import type { ResourceType } from '../resources/types.ts';
import type { JsonObject } from '../types.ts';
import { componentName, ref } from './builtin-schemas.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function query(name: string, type: 'string' | 'boolean' | 'integer', description: string): JsonObject {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): JsonObject {
  return { name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } };
}

const PRETTY = query('pretty', 'string', "If 'true', then the output is pretty printed.");
const WRITE_PARAMS = [
  query('dryRun', 'string', 'When present, indicates that modifications should not be persisted.'),
  query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  query('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default) and Strict.'),
];
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  query('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  query('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  query('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true.'),
  query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
];
const DELETE_PARAMS = [
  query('dryRun', 'string', 'When present, indicates that modifications should not be persisted.'),
  query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  query('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  query('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
];

function json(schema: JsonObject): JsonObject {
  return { 'application/json': { schema }, 'application/yaml': { schema }, 'application/vnd.kubernetes.protobuf': { schema } };
}

function ok(schema: JsonObject, code = '200'): JsonObject {
  return { [code]: { description: code === '201' ? 'Created' : 'OK', content: json(schema) }, '401': { description: 'Unauthorized' } };
}

/** The operations of one resource (and its subresources), keyed by path. */
export function operations(rt: ResourceType, kindSchema: string, listSchema: string): JsonObject {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
  const item = `${collection}/{name}`;
  const scope = rt.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = pathParam('name', `name of the ${rt.kind}`);
  const id = `${rt.kind}${rt.namespaced ? 'Namespaced' : ''}`;
  const op = (action: string, operationId: string, extra: JsonObject, kind: JsonObject = gvk): JsonObject => ({
    operationId, ...extra, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': kind,
  });
  const body = (schema: JsonObject): JsonObject => ({ requestBody: { required: true, content: json(schema) } });
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', ...(rt.custom ? [] : ['application/strategic-merge-patch+json']), 'application/apply-patch+yaml'];
  const patchBody = { requestBody: { required: true, content: Object.fromEntries(patchTypes.map((t) => [t, { schema: ref(`${META}.Patch`) }])) } };
  const itemOps = (suffix: string, schema: string, kind: JsonObject): JsonObject => ({
    get: op('get', `read${id}${suffix}`, { responses: ok(ref(schema)) }, kind),
    put: op('put', `replace${id}${suffix}`, { parameters: WRITE_PARAMS, ...body(ref(schema)), responses: { ...ok(ref(schema)), ...ok(ref(schema), '201') } }, kind),
    patch: op('patch', `patch${id}${suffix}`, { parameters: [...WRITE_PARAMS, query('force', 'boolean', 'Force is going to "force" Apply requests.')], ...patchBody, responses: { ...ok(ref(schema)), ...ok(ref(schema), '201') } }, kind),
    parameters: [nameParam, ...scope, PRETTY],
  });
  const out: JsonObject = {
    [collection]: {
      get: op('list', `list${id}`, { parameters: LIST_PARAMS, responses: ok(ref(listSchema)) }),
      post: op('post', `create${id}`, { parameters: WRITE_PARAMS, ...body(ref(kindSchema)), responses: { ...ok(ref(kindSchema)), ...ok(ref(kindSchema), '201') } }),
      delete: op('deletecollection', `deletecollection${id}`, { parameters: [...DELETE_PARAMS, ...LIST_PARAMS], ...body(ref(`${META}.DeleteOptions`)), responses: ok(ref(`${META}.Status`)) }),
      parameters: [...scope, PRETTY],
    },
    [item]: {
      ...itemOps('', kindSchema, gvk),
      delete: op('delete', `delete${id}`, { parameters: DELETE_PARAMS, ...body(ref(`${META}.DeleteOptions`)), responses: ok(ref(rt.returnDeletedObject ? kindSchema : `${META}.Status`)) }),
    },
  };
  if (rt.namespaced) {
    out[`${base}/${rt.plural}`] = { get: op('list', `list${rt.kind}ForAllNamespaces`, { parameters: LIST_PARAMS, responses: ok(ref(listSchema)) }), parameters: [PRETTY] };
  }
  if (rt.status) out[`${item}/status`] = itemOps('Status', kindSchema, gvk);
  if (rt.scale) out[`${item}/scale`] = itemOps('Scale', componentName('V1Scale'), { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  return out;
}
