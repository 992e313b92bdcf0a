// Serves one resource request: maps method, path and query to the API operations and
// writes JSON (or a Status on error).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bindPod } from '../api/binding.ts';
import type { Ctx } from '../api/context.ts';
import { mustGet, present } from '../api/context.ts';
import type { DeleteOptions } from '../api/delete.ts';
import { deleteObject } from '../api/delete.ts';
import { isNamespace } from '../api/hooks.ts';
import { JSON_PATCH, patch } from '../api/patching.ts';
import { list } from '../api/reads.ts';
import { getScale, updateScale } from '../api/scale.ts';
import { create, update } from '../api/write.ts';
import { ApiError, badRequest, methodNotAllowed } from '../errors.ts';
import { jsonPatch } from '../patch/json-patch.ts';
import { mergePatch } from '../patch/merge.ts';
import { groupVersion } from '../resources/types.ts';
import { includeObjectParam, tableVersion, toTable } from '../tables/table.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import type { Route } from './router.ts';
import type { WatchHub } from './watch.ts';
import { serveWatch } from './watch.ts';

export type LogSource = (namespace: string, pod: string, container: string | undefined, previous: boolean) => string | undefined;
/** Streams a container's new output to `send` until it exits (then `end`); returns how to stop, or undefined for an unknown pod. */
export type LogFollower = (namespace: string, pod: string, container: string | undefined, send: (text: string) => void, end: () => void) => (() => void) | undefined;

export interface Env {
  ctx: Ctx;
  hub: WatchHub;
  logs?: LogSource;
  followLogs?: LogFollower;
}

type ResourceRoute = Extract<Route, { type: 'resource' }>;

export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) };
  // RFC 7234 warn-code 299, agent "-", as the apiserver sends them.
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  const text = JSON.stringify(err.toStatus());
  res.writeHead(err.code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

function num(v: string | null): number | undefined {
  return v === null || v === '' ? undefined : Number(v);
}

function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions & { orphanFalse: boolean } {
  const b = isRecord(body) ? body : {};
  const orphan = q.get('orphanDependents') ?? (typeof b.orphanDependents === 'boolean' ? String(b.orphanDependents) : null);
  let policy = (q.get('propagationPolicy') ?? b.propagationPolicy) as DeleteOptions['propagationPolicy'] | undefined;
  if (!policy && orphan === 'true') policy = 'Orphan';
  const grace = num(q.get('gracePeriodSeconds')) ?? (typeof b.gracePeriodSeconds === 'number' ? b.gracePeriodSeconds : undefined);
  const pre = isRecord(b.preconditions) ? b.preconditions : {};
  return {
    gracePeriodSeconds: grace,
    propagationPolicy: policy,
    preconditions: { uid: pre.uid as string | undefined, resourceVersion: pre.resourceVersion as string | undefined },
    dryRun: q.get('dryRun') === 'All' || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
    orphanFalse: orphan === 'false',
  };
}

export function handleResource(env: Env, r: ResourceRoute, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, raw: string): void {
  const { ctx } = env;
  const rt = r.rt;
  if (!rt) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  const method = req.method ?? 'GET';
  const ns = r.namespace ?? '';
  if (rt.namespaced && r.name !== undefined && r.namespace === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  const dryRun = q.get('dryRun') === 'All';
  const warnings: string[] = [];
  const fv = q.get('fieldValidation');
  const fieldValidation = fv === 'Strict' || fv === 'Ignore' ? fv : 'Warn';
  const writeOpts = { dryRun, fieldValidation, warnings } as const;
  const sub = r.subresource;
  const watching = r.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';

  const table = method === 'GET' ? tableVersion(req.headers.accept) : undefined;
  const tableOptions = table ? { version: table, includeObject: includeObjectParam(q.get('includeObject')) } : undefined;
  if (method === 'GET' && watching) {
    let fsel = q.get('fieldSelector') ?? undefined;
    if (r.name !== undefined) fsel = [fsel, `metadata.name=${r.name}`].filter(Boolean).join(',');
    serveWatch(ctx, env.hub, req, res, {
      rt, namespace: r.namespace, resourceVersion: q.get('resourceVersion') ?? undefined,
      labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: fsel,
      allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
      sendInitialEvents: q.has('sendInitialEvents') ? q.get('sendInitialEvents') === 'true' : undefined,
      timeoutSeconds: num(q.get('timeoutSeconds')),
      // Later events of a table watch leave the column definitions out, as the real server does.
      transform: tableOptions ? (o, first) => toTable(rt, [o], { resourceVersion: o.metadata.resourceVersion }, { ...tableOptions, noHeaders: !first }) : undefined,
    });
    return;
  }
  if (r.name === undefined) {
    if (sub !== undefined) throw methodNotAllowed();
    switch (method) {
      case 'GET': {
        const found = list(ctx, rt, r.namespace, {
          labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: num(q.get('limit')), continue: q.get('continue') ?? undefined,
        });
        if (!tableOptions) return sendJson(res, 200, found);
        const items = (found.items as KubeObject[]).map((o) => ({ ...o, apiVersion: groupVersion(rt), kind: rt.kind }));
        return sendJson(res, 200, toTable(rt, items, found.metadata as JsonObject, tableOptions));
      }
      case 'POST':
        return sendJson(res, 201, create(ctx, rt, ns, parseJson(raw), writeOpts), warnings);
      case 'DELETE': {
        const opts = deleteOptions(q, parseJson(raw));
        const items = list(ctx, rt, r.namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
        const deleted = (items.items as JsonObject[]).map((o) => {
          const meta = o.metadata as { name: string; namespace?: string };
          return deleteObject(ctx, rt, meta.namespace ?? '', meta.name, opts).body;
        });
        return sendJson(res, 200, { ...items, items: deleted });
      }
      default: throw methodNotAllowed();
    }
  }
  const name = r.name;
  if (sub === 'scale') {
    if (method === 'GET') return sendJson(res, 200, getScale(ctx, rt, ns, name));
    if (method === 'PUT') return sendJson(res, 200, updateScale(ctx, rt, ns, name, parseJson(raw), dryRun));
    if (method === 'PATCH') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const current = getScale(ctx, rt, ns, name);
      const body = parseJson(raw);
      // Scale has no lists, so strategic and apply patches act as a merge patch on it.
      const next = type === JSON_PATCH ? jsonPatch(current, body) : mergePatch(current, body);
      return sendJson(res, 200, updateScale(ctx, rt, ns, name, next, dryRun));
    }
    throw methodNotAllowed();
  }
  if (sub === 'binding' && rt.plural === 'pods' && method === 'POST') return sendJson(res, 201, bindPod(ctx, rt, ns, name, parseJson(raw)));
  if (sub === 'log' && rt.plural === 'pods' && method === 'GET') {
    mustGet(ctx, rt, ns, name);
    let text = env.logs?.(ns, name, q.get('container') ?? undefined, q.get('previous') === 'true') ?? '';
    const tail = num(q.get('tailLines'));
    if (tail !== undefined) text = text.split(/(?<=\n)/).slice(-tail).join('');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (q.get('follow') !== 'true' || q.get('previous') === 'true') {
      res.end(text);
      return;
    }
    res.write(text);
    const stop = env.followLogs?.(ns, name, q.get('container') ?? undefined, (chunk) => res.write(chunk), () => res.end());
    if (!stop) res.end();
    else res.on('close', stop);
    return;
  }
  if (sub === 'finalize' && isNamespace(rt) && method === 'PUT') {
    return sendJson(res, 200, update(ctx, rt, ns, name, parseJson(raw), { dryRun }));
  }
  if (sub !== undefined && !(sub === 'status' && rt.status)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  const subresource = sub === 'status' ? 'status' : undefined;
  switch (method) {
    case 'GET': {
      const obj = present(mustGet(ctx, rt, ns, name), rt);
      return sendJson(res, 200, tableOptions ? toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion }, tableOptions) : obj);
    }
    case 'PUT': {
      const existed = ctx.store.get(`${rt.group}/${rt.plural}`, rt.namespaced ? ns : '', name) !== undefined;
      const out = update(ctx, rt, ns, name, parseJson(raw), { ...writeOpts, subresource });
      return sendJson(res, existed ? 200 : 201, out, warnings);
    }
    case 'PATCH': {
      const existed = ctx.store.get(`${rt.group}/${rt.plural}`, rt.namespaced ? ns : '', name) !== undefined;
      const out = patch(ctx, rt, ns, name, req.headers['content-type'] ?? '', raw, {
        ...writeOpts, subresource, fieldManager: q.get('fieldManager') ?? undefined, force: q.get('force') === 'true',
      });
      return sendJson(res, existed ? 200 : 201, out, warnings);
    }
    case 'DELETE': {
      const opts = deleteOptions(q, parseJson(raw));
      const result = deleteObject(ctx, rt, ns, name, opts);
      return sendJson(res, result.pending && opts.orphanFalse ? 202 : 200, result.body);
    }
    default:
      throw methodNotAllowed();
  }
}
