/**
 * A thin Kubernetes REST client on raw JSON. It takes server address and credentials from a
 * client-node KubeConfig (so in-cluster tokens, kubeconfig files and TLS all work) and
 * returns objects exactly as the API server sent them, which keeps the operator's
 * comparisons of desired and observed objects free of client-side model conversion.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { WeirError } from '../../errors/index.ts';
import type { KubeObject } from './kube-object.ts';

export type PatchType = 'merge' | 'json' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * An API call the server answered with an error status. Retriable for 404 and 409 (the
 * object changed or went away since it was read: a new pass observes it again), 410 (an
 * expired continue token), 429 and 5xx; not for a request the server refuses as it stands
 * (400 bad, 403 forbidden, 422 invalid), which only a change of the object or of RBAC can fix.
 */
export class KubeApiError extends WeirError {
  constructor(
    readonly status: number,
    readonly reason: string,
    method: string,
    path: string,
    message: string,
  ) {
    super(status === 409 ? 'KUBE_CONFLICT' : status === 404 ? 'KUBE_NOT_FOUND' : 'KUBE_API_ERROR', `${method} ${path}: HTTP ${status} ${reason}: ${message}`, status === 404 || status === 409 || status === 410 || status === 429 || status >= 500);
  }
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export class KubeClient {
  private readonly server: URL;

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new WeirError('KUBE_CONFIG_INVALID', 'the kubeconfig has no current cluster; set KUBECONFIG or run inside a pod', false);
    this.server = new URL(cluster.server);
  }

  async get(path: string): Promise<KubeObject | undefined> {
    try {
      return await this.call<KubeObject>('GET', path);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(path: string, labelSelector?: string): Promise<ListResult> {
    const list = await this.getJson<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }>(path, { labelSelector });
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /** A GET of any path with query parameters (undefined ones are left out); `signal` aborts it. */
  getJson<T>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
    const search = params.size > 0 ? `?${params.toString()}` : '';
    return this.call('GET', `${path}${search}`, undefined, undefined, signal);
  }

  create(collectionPath: string, body: KubeObject): Promise<KubeObject> {
    return this.call('POST', collectionPath, body);
  }

  replace(path: string, body: KubeObject): Promise<KubeObject> {
    return this.call('PUT', path, body);
  }

  replaceStatus(path: string, body: KubeObject): Promise<KubeObject> {
    return this.call('PUT', `${path}/status`, body);
  }

  patch(path: string, body: unknown, type: PatchType = 'merge'): Promise<KubeObject> {
    return this.call('PATCH', path, body, PATCH_CONTENT_TYPES[type]);
  }

  /** Deletes; a 404 counts as done. */
  async delete(path: string, propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background'): Promise<void> {
    try {
      await this.call('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<T> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      // Content-Length always: Node frames a DELETE body with neither it nor chunking, and the
      // server would read the body as the next request on a kept-alive connection.
      headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': String(Buffer.byteLength(payload)) }) },
      timeout: this.timeoutMs,
      signal,
    };
    await this.kc.applyToHTTPSOptions(options);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs}ms`)));
      req.on('error', (err) => reject(new WeirError('KUBE_UNREACHABLE', `${method} ${path}: cannot reach the Kubernetes API server at ${this.server.origin}: ${err.message}`, true, { cause: err })));
      req.end(payload);
    });
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (status >= 200 && status < 300) return json as T;
    throw new KubeApiError(status, String(json.reason ?? 'Unknown'), method, path, String(json.message ?? text));
  }
}
