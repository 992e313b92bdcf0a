/**
 * Serves a registry (or any MetricsSource) as Prometheus text: `GET /metrics`. A TaskManager runs one on its own
 * port; the JobManager's REST server mounts `handleMetricsRequest` at its `/metrics`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WeirError, errorMessage } from '../../errors/index.ts';

/** What a metrics server serves: a MetricRegistry, or several merged (a TaskManager's slots). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

function sendErrors(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [message] }));
}

/**
 * Answers GET (and HEAD) with the registry's text exposition; the caller routes the path.
 * Errors use the REST API's `{"errors": [...]}` shape.
 */
export async function handleMetricsRequest(registry: MetricsSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendErrors(res, 405, `method ${req.method ?? '?'} not allowed on /metrics`);
    return;
  }
  let text: string;
  try {
    text = await registry.metrics();
  } catch (err) {
    sendErrors(res, 500, `collecting metrics failed: ${errorMessage(err)}`);
    return;
  }
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export interface MetricsServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port (read `port` after start). */
  port?: number;
}

export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly registry: MetricsSource,
    private readonly options: MetricsServerOptions = {},
  ) {}

  /** Listens; resolves with the bound address, rejects with METRICS_SERVER_START_FAILED. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    if (this.server) throw new WeirError('METRICS_SERVER_STARTED', 'the metrics server is already started', false);
    const host = this.options.host ?? '127.0.0.1';
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        sendErrors(res, 404, `not found: ${path}`);
        return;
      }
      handleMetricsRequest(this.registry, req, res).catch((err: unknown) => {
        // Only a broken socket gets here; there is no one left to answer.
        res.destroy(err instanceof Error ? err : new Error(errorMessage(err)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new WeirError('METRICS_SERVER_START_FAILED', `cannot listen on ${host}:${this.options.port ?? 0}: ${err.message}`, true, { cause: err })));
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    return { host, port, url: `http://${host}:${port}/metrics` };
  }

  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeHttpServer(server);
  }
}

/** Stops listening and ends open connections (a scraper's keep-alive would hold close() open). */
export async function closeHttpServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
