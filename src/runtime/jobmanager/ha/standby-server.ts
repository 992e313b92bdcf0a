/**
 * What a standby JobManager serves on the REST port until it leads: `/healthz` (it is alive),
 * and 503 everywhere else, `/readyz` included, so Services send TaskManagers and users to
 * the leader only.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WeirError } from '../../../errors/index.ts';

export class StandbyServer {
  private server: Server | undefined;

  constructor(private readonly leader: () => string) {}

  listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      const healthy = req.method === 'GET' && req.url === '/healthz';
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      const leader = this.leader();
      res.end(JSON.stringify(healthy ? { status: 'standby' } : { errors: [`this JobManager is a standby; the leader is ${leader === '' ? 'not known yet' : leader}`] }));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err) => reject(new WeirError('REST_BIND_FAILED', `cannot listen on ${host}:${port}: ${err.message}`, true, { cause: err })));
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
