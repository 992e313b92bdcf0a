// Readiness and liveness probes: httpGet (2xx/3xx is success) and tcpSocket against the
// pod's IP, on the probe's own schedule (initialDelaySeconds, periodSeconds, thresholds).
import { request } from 'node:http';
import { connect } from 'node:net';
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';

function resolvePort(port: unknown, container: JsonObject): number {
  if (typeof port === 'number') return port;
  const ports = Array.isArray(container.ports) ? container.ports.filter(isRecord) : [];
  const named = ports.find((p) => p.name === port);
  return named && typeof named.containerPort === 'number' ? named.containerPort : Number(port);
}

function httpProbe(host: string, port: number, path: string, timeoutMs: number, headers: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, headers: { 'User-Agent': 'kube-probe/1.31', ...headers } }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Runs an exec probe's command in the container's context; resolves whether it exited 0 in time. */
export type ExecProbe = (command: string[], timeoutMs: number) => Promise<boolean>;

export async function probeOnce(probe: JsonObject, container: JsonObject, podIP: string, exec?: ExecProbe): Promise<boolean> {
  const timeoutMs = Number(probe.timeoutSeconds ?? 1) * 1000;
  if (isRecord(probe.httpGet)) {
    const g = probe.httpGet;
    const headers: Record<string, string> = {};
    for (const h of Array.isArray(g.httpHeaders) ? g.httpHeaders.filter(isRecord) : []) headers[String(h.name)] = String(h.value);
    return httpProbe(typeof g.host === 'string' && g.host ? g.host : podIP, resolvePort(g.port, container), String(g.path ?? '/'), timeoutMs, headers);
  }
  if (isRecord(probe.tcpSocket)) return tcpProbe(podIP, resolvePort(probe.tcpSocket.port, container), timeoutMs);
  if (isRecord(probe.exec) && exec) return exec(Array.isArray(probe.exec.command) ? probe.exec.command.map(String) : [], timeoutMs);
  // grpc probes are not run by this kubelet; they count as passing.
  return true;
}

/** Runs a probe until stopped, reporting each change of its result. */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private readonly periodMs: number;
  private readonly failureThreshold: number;
  result: boolean;

  constructor(
    private readonly probe: JsonObject,
    private readonly container: JsonObject,
    private readonly podIP: string,
    initial: boolean,
    private readonly onChange: (ok: boolean) => void,
    private readonly exec?: ExecProbe,
    /** Startup probes report failure once failureThreshold is reached even though they start out failing. */
    private readonly reportFailure = false,
    /**
     * Probe at least this often. The failure threshold grows to match, so a probe still gives
     * up after as long as the pod allows; only a change is seen sooner.
     */
    maxPeriodMs = Infinity,
  ) {
    const periodMs = Number(probe.periodSeconds ?? 10) * 1000;
    this.periodMs = Math.min(periodMs, maxPeriodMs);
    this.failureThreshold = Math.ceil(Number(probe.failureThreshold ?? 3) * (periodMs / this.periodMs));
    this.result = initial;
    this.schedule(Number(probe.initialDelaySeconds ?? 0) * 1000);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick().catch((err: unknown) => process.stderr.write(`kubelet prober: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
    }, ms);
  }

  private async tick(): Promise<void> {
    const ok = await probeOnce(this.probe, this.container, this.podIP, this.exec);
    if (this.stopped) return;
    if (ok) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    const next = ok ? (this.successes >= Number(this.probe.successThreshold ?? 1) ? true : this.result)
      : (this.failures >= this.failureThreshold ? false : this.result);
    if (next !== this.result) {
      this.result = next;
      this.onChange(next);
    } else if (this.reportFailure && !ok && this.failures >= this.failureThreshold) {
      this.onChange(false);
      return;
    }
    this.schedule(this.periodMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
