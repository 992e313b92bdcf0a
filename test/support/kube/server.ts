// Starts the test API server: HTTP on 127.0.0.1, discovery, resource handlers, watches,
// fault injection, and the built-in controllers (scheduler, node lifecycle, garbage
// collector, namespaces, Deployments, ReplicaSets, Endpoints).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { KubeApi } from './api/api.ts';
import { startControllers } from './controllers/index.ts';
import { STANDARD_STORAGE_CLASS } from './kubelet/local-path.ts';
import { ApiError, badRequest, internalError } from './errors.ts';
import { Faults } from './faults.ts';
import { discovery } from './http/discovery.ts';
import { serveOpenApi } from './http/openapi.ts';
import { OpenApiDocuments } from './openapi/documents.ts';
import { PROTOBUF, decodeKubeProtobuf } from './protobuf/kube-protobuf.ts';
import type { Env, LogFollower, LogSource } from './http/handlers.ts';
import { handleResource, sendError, sendJson } from './http/handlers.ts';
import { route } from './http/router.ts';
import { WatchHub } from './http/watch.ts';
import { kubeconfigYaml, loadKubeConfig } from './kubeconfig.ts';
import { Registry } from './resources/registry.ts';
import { Store } from './store/store.ts';
import type { JsonObject } from './types.ts';
import { isRecord } from './types.ts';

export interface KubeServerOptions {
  /** CRDs and other objects to load at start: objects, YAML file paths, or YAML text (multi-document). */
  load?: (JsonObject | string)[];
  port?: number;
  /** Changes retained for watch resumption (default 10000); older versions get 410. */
  historyLimit?: number;
  /** How often watches that allow bookmarks get one (default 60s, like the real server's ~1 min). */
  bookmarkIntervalMs?: number;
  /** Run the garbage collector, namespace, Deployment and ReplicaSet controllers (default true). */
  controllers?: boolean;
  /** How long a node may be not Ready before its pods are evicted (default 300000, the real toleration). */
  podEvictionTimeoutMs?: number;
  /** Log each request to stderr. */
  verbose?: boolean;
}

export interface KubeServer {
  url: string;
  port: number;
  /** A client-node KubeConfig for this server (namespace `default`). */
  kubeconfig: KubeConfig;
  kubeconfigYaml: string;
  api: KubeApi;
  store: Store;
  registry: Registry;
  faults: Faults;
  /** Adds a source pods/<name>/log reads from (each kubelet adds one); returns its removal. */
  addLogSource(source: LogSource): () => void;
  /** Adds what pods/<name>/log?follow=true streams from; returns its removal. */
  addLogFollower(follower: LogFollower): () => void;
  close(): Promise<void>;
}

/** Reads objects from a YAML file path or YAML text. */
export function readObjects(src: JsonObject | string): JsonObject[] {
  if (typeof src !== 'string') return [src];
  const text = /\n/.test(src) || !/\.(ya?ml|json)$/.test(src) ? src : readFileSync(src, 'utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as unknown).filter(isRecord);
}

/** The request body as text: JSON or YAML as sent, a protobuf body as the JSON it encodes. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      try {
        resolve(type === PROTOBUF && body.length > 0 ? JSON.stringify(decodeKubeProtobuf(body)) : body.toString('utf8'));
      } catch (err) {
        reject(err instanceof ApiError ? err : badRequest(`the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
    req.on('error', reject);
  });
}

/** The `kubernetes` Service in default, which the API server keeps pointing at itself. */
function createKubernetesService(api: KubeApi, port: number): void {
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }];
  api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels }, spec: { type: 'ClusterIP', ports, sessionAffinity: 'None' } });
  api.create({
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  });
}

export async function startKubeServer(opts: KubeServerOptions = {}): Promise<KubeServer> {
  const store = new Store(opts.historyLimit);
  const registry = new Registry();
  const api = new KubeApi(store, registry);
  const hub = new WatchHub();
  const openapi = new OpenApiDocuments(registry);
  if (opts.bookmarkIntervalMs !== undefined) hub.bookmarkIntervalMs = opts.bookmarkIntervalMs;
  const faults = new Faults(store, hub);
  const logSources = new Set<LogSource>();
  const logFollowers = new Set<LogFollower>();
  const env: Env = {
    ctx: api.ctx,
    hub,
    logs: (ns, pod, container, previous) => {
      for (const source of logSources) {
        const text = source(ns, pod, container, previous);
        if (text !== undefined) return text;
      }
      return undefined;
    },
    followLogs: (ns, pod, container, send, end) => {
      for (const follower of logFollowers) {
        const stop = follower(ns, pod, container, send, end);
        if (stop) return stop;
      }
      return undefined;
    },
  };
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  api.load((opts.load ?? []).flatMap(readObjects));
  let address = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    if (opts.verbose) process.stderr.write(`kube: ${method} ${req.url ?? ''}\n`);
    const fault = faults.take(method, `${url.pathname}${url.search}`);
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    await Promise.all(fault.holds);
    if (fault.error) return sendError(res, fault.error);
    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (url.pathname === '/openapi/v3' || url.pathname.startsWith('/openapi/v3/')) return serveOpenApi(openapi, url.pathname, res);
    const r = route(registry, url.pathname);
    if (r.type === 'resource') return handleResource(env, r, req, res, url.searchParams, raw);
    const doc = r.type === 'discovery' ? discovery(registry, url.pathname, address) : undefined;
    if (doc) return sendJson(res, 200, doc);
    sendError(res, new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const apiErr = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
      if (!(err instanceof ApiError)) process.stderr.write(`kube server error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (res.headersSent) res.destroy();
      else sendError(res, apiErr);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  createKubernetesService(api, port);
  api.create(STANDARD_STORAGE_CLASS);
  const url = `http://${address}`;
  const stopControllers = opts.controllers === false ? () => undefined : startControllers(api, { podEvictionTimeoutMs: opts.podEvictionTimeoutMs });
  const yamlText = kubeconfigYaml(url);
  return {
    url,
    port,
    kubeconfig: loadKubeConfig(yamlText),
    kubeconfigYaml: yamlText,
    api,
    store,
    registry,
    faults,
    addLogSource: (source) => {
      logSources.add(source);
      return () => logSources.delete(source);
    },
    addLogFollower: (follower) => {
      logFollowers.add(follower);
      return () => logFollowers.delete(follower);
    },
    close: async () => {
      stopControllers();
      hub.cut(undefined, false);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
