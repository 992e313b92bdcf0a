// A kube-proxy for the test cluster: for each Service port it listens on the Service's
// cluster IP and forwards each TCP connection to a random ready endpoint's target port.
// With no ready endpoints nothing listens, so connections are refused, like kube-proxy's
// REJECT rule.
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { KubeApi } from '../api/api.ts';
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';

interface Listener {
  server: Server;
  sockets: Set<Socket>;
}

function endpointsFor(api: KubeApi, ns: string, name: string, port: JsonObject): { ip: string; port: number }[] {
  const ep = api.store.get('/endpoints', ns, name);
  const out: { ip: string; port: number }[] = [];
  for (const subset of ep && Array.isArray(ep.subsets) ? ep.subsets.filter(isRecord) : []) {
    const ports = Array.isArray(subset.ports) ? subset.ports.filter(isRecord) : [];
    const match = ports.find((p) => (p.name ?? '') === (port.name ?? '')) ?? (ports.length === 1 ? ports[0] : undefined);
    if (!match || typeof match.port !== 'number') continue;
    for (const a of Array.isArray(subset.addresses) ? subset.addresses.filter(isRecord) : []) {
      if (typeof a.ip === 'string') out.push({ ip: a.ip, port: match.port });
    }
  }
  return out;
}

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();

  constructor(private readonly api: KubeApi, private readonly report: (err: unknown) => void) {}

  /** Listens exactly for the Service ports that have ready endpoints now. */
  sync(): void {
    const wanted = new Map<string, { ns: string; name: string; ip: string; port: JsonObject }>();
    for (const svc of this.api.store.list('/services')) {
      const spec = isRecord(svc.spec) ? svc.spec : {};
      if (typeof spec.clusterIP !== 'string' || spec.clusterIP === 'None') continue;
      const ns = svc.metadata.namespace ?? '';
      const name = svc.metadata.name ?? '';
      for (const port of Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : []) {
        if ((port.protocol ?? 'TCP') !== 'TCP' || endpointsFor(this.api, ns, name, port).length === 0) continue;
        wanted.set(`${spec.clusterIP}:${String(port.port)}`, { ns, name, ip: spec.clusterIP, port });
      }
    }
    for (const [key, l] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      this.close(l);
    }
    for (const [key, w] of wanted) {
      if (this.listeners.has(key)) continue;
      const sockets = new Set<Socket>();
      const server = createServer((client) => this.forward(client, w.ns, w.name, w.port, sockets));
      server.on('error', (err) => this.report(err));
      server.listen(Number(w.port.port), w.ip);
      this.listeners.set(key, { server, sockets });
    }
  }

  private forward(client: Socket, ns: string, name: string, port: JsonObject, sockets: Set<Socket>): void {
    const targets = endpointsFor(this.api, ns, name, port);
    const target = targets[Math.floor(Math.random() * targets.length)];
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.ip, port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset on either side resets the other, as a forwarded connection would.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private close(l: Listener): void {
    l.server.close();
    for (const s of l.sockets) s.destroy();
  }

  stop(): void {
    for (const l of this.listeners.values()) this.close(l);
    this.listeners.clear();
  }
}

const shared = new WeakMap<object, { proxy: ServiceProxy; refs: number }>();

/**
 * The proxy of a server, shared by all its kubelets: there is one loopback network, so one
 * listener per cluster IP and port, whichever "node" a client runs on.
 */
export function acquireProxy(server: { api: KubeApi }, report: (err: unknown) => void): { sync(): void; release(): void } {
  let entry = shared.get(server);
  if (!entry) {
    entry = { proxy: new ServiceProxy(server.api, report), refs: 0 };
    shared.set(server, entry);
  }
  entry.refs++;
  const e = entry;
  let released = false;
  return {
    sync: () => e.proxy.sync(),
    release: () => {
      if (released) return;
      released = true;
      e.refs--;
      if (e.refs === 0) {
        e.proxy.stop();
        shared.delete(server);
      }
    },
  };
}
