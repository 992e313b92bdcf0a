/**
 * The operator's own HTTP endpoints: Prometheus metrics, and the liveness and readiness
 * probes Kubernetes polls. Liveness answers whether the operator's loops still run (a
 * stuck process should be restarted); readiness whether its caches have synced.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { errorMessage } from '../../errors/index.ts';

export type ProbeCheck = () => boolean | Promise<boolean>;

export interface OperatorHttpServerOptions {
  registry: Registry;
  /** /healthz: true while the process's loops are alive. */
  healthy: ProbeCheck;
  /** /readyz: true once informers have synced (and, say, leader election has started). */
  ready: ProbeCheck;
}

export class OperatorHttpServer {
  private readonly server: Server;

  constructor(private readonly options: OperatorHttpServerOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // Headers may already be out (a metrics collector failing mid-body): end the response.
        if (!res.headersSent) send(res, 500, { error: errorMessage(err) });
        else res.destroy(err instanceof Error ? err : undefined);
      });
    });
  }

  /** Listens and returns the bound port (pass 0 for an ephemeral one). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections, including idle keep-alive ones. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: `method ${req.method ?? ''} not allowed` }, { Allow: 'GET, HEAD' });
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await this.options.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.options.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      case '/healthz':
        await probe(res, this.options.healthy);
        return;
      case '/readyz':
        await probe(res, this.options.ready);
        return;
      default:
        send(res, 404, { error: `no such endpoint: ${path}` });
    }
  }
}

async function probe(res: ServerResponse, check: ProbeCheck): Promise<void> {
  let ok: boolean;
  try {
    ok = await check();
  } catch (err) {
    // A failing check is an unhealthy answer, and the reason belongs in the probe's output.
    send(res, 503, { status: 'failed', error: errorMessage(err) });
    return;
  }
  send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'failed' });
}

function send(res: ServerResponse, code: number, body: Record<string, string>, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
