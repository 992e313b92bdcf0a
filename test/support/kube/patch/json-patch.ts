// JSON patch (RFC 6902) with JSON pointers (RFC 6901).
import { ApiError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { clone, isRecord, jsonEqual } from '../types.ts';

function fail(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw fail(`invalid JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, pointer: string): { parent: unknown; key: string } {
  const parts = tokens(pointer);
  if (parts.length === 0) throw fail('cannot operate on the document root');
  let cur = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isRecord(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined) throw fail(`doc is missing path: "${pointer}": missing value`);
  }
  return { parent: cur, key: parts[parts.length - 1]! };
}

function get(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const part of tokens(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isRecord(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

function index(arr: unknown[], key: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i === arr.length)) throw fail(`Unable to access invalid index: ${key}`);
  return i;
}

function add(doc: unknown, path: string, value: unknown): void {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true), 0, clone(value));
  else if (isRecord(parent)) parent[key] = clone(value);
  else throw fail(`doc is missing path: "${path}": missing value`);
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) return parent.splice(index(parent, key, false), 1)[0];
  if (isRecord(parent) && key in parent) {
    const v = parent[key];
    delete parent[key];
    return v;
  }
  throw fail(`Unable to remove nonexistent key: ${key}: missing value`);
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = { root: clone(target) } as JsonObject;
  const at = (p: string): string => `/root${p}`;
  for (const raw of ops) {
    if (!isRecord(raw)) throw fail('invalid patch operation');
    const op = String(raw.op);
    const path = String(raw.path ?? '');
    switch (op) {
      case 'add': add(doc, at(path), raw.value); break;
      case 'remove': remove(doc, at(path)); break;
      case 'replace':
        if (get(doc, at(path)) === undefined) throw fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        remove(doc, at(path));
        add(doc, at(path), raw.value);
        break;
      case 'move': add(doc, at(path), remove(doc, at(String(raw.from)))); break;
      case 'copy': add(doc, at(path), get(doc, at(String(raw.from)))); break;
      case 'test':
        if (!jsonEqual(get(doc, at(path)), raw.value)) throw fail(`testing value ${path} failed: test failed`);
        break;
      default: throw fail(`Unexpected kind: ${op}`);
    }
  }
  return doc.root;
}
