// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`):
// the "k8s\0" envelope around a runtime.Unknown, whose raw bytes are the object. Typed Go
// clients send it; helm stores its releases in Secrets that way and deletes with protobuf
// DeleteOptions. The messages decoded are those such clients write; their field numbers
// follow k8s.io/api and apimachinery's generated.proto. Go's encoder writes every
// non-pointer field, so empty strings, zeros and empty times mean "unset", as in JSON.
import { unsupportedMediaType } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import type { WireField } from './wire.ts';
import { readFields } from './wire.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldType =
  | 'string' | 'int' | 'bool' | 'bytes' | 'time'
  | { message: Schema }
  | { map: 'string' | 'bytes' }
  | { repeated: 'string' | { message: Schema } };

interface Schema {
  [field: number]: [name: string, type: FieldType];
}

const TIME: Schema = { 1: ['seconds', 'int'], 2: ['nanos', 'int'] };
const OWNER_REFERENCE: Schema = {
  1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'],
};
const OBJECT_META: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'], 6: ['resourceVersion', 'string'],
  7: ['generation', 'int'], 8: ['creationTimestamp', 'time'], 9: ['deletionTimestamp', 'time'], 10: ['deletionGracePeriodSeconds', 'int'],
  11: ['labels', { map: 'string' }], 12: ['annotations', { map: 'string' }], 13: ['ownerReferences', { repeated: { message: OWNER_REFERENCE } }],
  14: ['finalizers', { repeated: 'string' }],
};
const SECRET: Schema = { 1: ['metadata', { message: OBJECT_META }], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', { map: 'string' }], 5: ['immutable', 'bool'] };
const CONFIG_MAP: Schema = { 1: ['metadata', { message: OBJECT_META }], 2: ['data', { map: 'string' }], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool'] };
const NAMESPACE: Schema = {
  1: ['metadata', { message: OBJECT_META }], 2: ['spec', { message: { 1: ['finalizers', { repeated: 'string' }] } }], 3: ['status', { message: { 1: ['phase', 'string'] } }],
};
const DELETE_OPTIONS: Schema = {
  1: ['gracePeriodSeconds', 'int'], 2: ['preconditions', { message: { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] } }],
  3: ['orphanDependents', 'bool'], 4: ['propagationPolicy', 'string'], 5: ['dryRun', { repeated: 'string' }],
};

const KINDS: Record<string, Schema> = { 'v1/Secret': SECRET, 'v1/ConfigMap': CONFIG_MAP, 'v1/Namespace': NAMESPACE, 'v1/DeleteOptions': DELETE_OPTIONS, 'meta.k8s.io/v1/DeleteOptions': DELETE_OPTIONS };

function int(f: WireField): number {
  if (f.value.wire !== 0) throw new Error(`protobuf: field ${f.field} is not a varint`);
  return Number(BigInt.asIntN(64, f.value.value));
}

function bytes(f: WireField): Buffer {
  if (f.value.wire !== 2) throw new Error(`protobuf: field ${f.field} is not length-delimited`);
  return f.value.bytes;
}

function mapEntry(f: WireField, values: 'string' | 'bytes'): [string, string] {
  const entry = readFields(bytes(f));
  const key = entry.find((e) => e.field === 1);
  const value = entry.find((e) => e.field === 2);
  const raw = value ? bytes(value) : Buffer.alloc(0);
  return [key ? bytes(key).toString('utf8') : '', values === 'bytes' ? raw.toString('base64') : raw.toString('utf8')];
}

function time(buf: Buffer): string | undefined {
  const t = decodeMessage(buf, TIME);
  if (t.seconds === undefined) return undefined;
  return new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const out: JsonObject = {};
  for (const f of readFields(buf)) {
    const spec = schema[f.field];
    if (!spec) continue;
    const [name, type] = spec;
    if (type === 'string') {
      const s = bytes(f).toString('utf8');
      if (s !== '') out[name] = s;
    } else if (type === 'int') {
      const n = int(f);
      if (n !== 0) out[name] = n;
    } else if (type === 'bool') {
      if (int(f) !== 0) out[name] = true;
    } else if (type === 'bytes') {
      out[name] = bytes(f).toString('base64');
    } else if (type === 'time') {
      const t = time(bytes(f));
      if (t !== undefined) out[name] = t;
    } else if ('message' in type) {
      out[name] = decodeMessage(bytes(f), type.message);
    } else if ('map' in type) {
      const [k, v] = mapEntry(f, type.map);
      out[name] = { ...(out[name] as JsonObject | undefined), [k]: v };
    } else {
      const item = type.repeated === 'string' ? bytes(f).toString('utf8') : decodeMessage(bytes(f), type.repeated.message);
      out[name] = [...((out[name] as unknown[] | undefined) ?? []), item];
    }
  }
  return out;
}

/** A protobuf request body as the JSON object it encodes; 415 for a kind this server cannot read in protobuf. */
export function decodeKubeProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw unsupportedMediaType(['application/json', 'application/yaml']);
  const unknown = readFields(body.subarray(4));
  const typeMeta = unknown.find((f) => f.field === 1);
  const raw = unknown.find((f) => f.field === 2);
  const meta = typeMeta ? decodeMessage(bytes(typeMeta), { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }) : {};
  const apiVersion = String(meta.apiVersion ?? '');
  const kind = String(meta.kind ?? '');
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) throw unsupportedMediaType(['application/json', 'application/yaml']);
  const obj = decodeMessage(raw ? bytes(raw) : Buffer.alloc(0), schema);
  return kind === 'DeleteOptions' ? obj : { apiVersion, kind, ...obj };
}
