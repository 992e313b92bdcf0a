/**
 * The TaskManager's HTTP port: `GET /metrics` (every slot's metrics, merged), `GET /readyz`
 * (200 only while registered with a JobManager that answers, so a Kubernetes readiness probe
 * tells a working TaskManager from one still looking for its JobManager) and `GET /healthz`
 * (the process answers: what a liveness probe needs).
 */
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { closeHttpServer, handleMetricsRequest } from '../metrics/metrics-server.ts';
import type { MetricsSource } from '../metrics/metrics-server.ts';

export interface TaskManagerHttpOptions {
  host: string;
  port: number;
  metrics: MetricsSource;
  registered: () => boolean;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class TaskManagerHttp {
  private server: Server | undefined;

  constructor(private readonly options: TaskManagerHttpOptions) {}

  /** Listens; resolves with the bound port, rejects with METRICS_SERVER_START_FAILED. */
  async start(): Promise<number> {
    const { host, port } = this.options;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        handleMetricsRequest(this.options.metrics, req, res).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(errorMessage(err))));
      } else if (path === '/readyz') {
        const registered = this.options.registered();
        sendJson(res, registered ? 200 : 503, { registered });
      } else if (path === '/healthz') {
        sendJson(res, 200, { status: 'ok' });
      } else {
        sendJson(res, 404, { errors: [`not found: ${path}`] });
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new WeirError('METRICS_SERVER_START_FAILED', `cannot listen on ${host}:${port}: ${err.message}`, true, { cause: err })));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeHttpServer(server);
  }
}
