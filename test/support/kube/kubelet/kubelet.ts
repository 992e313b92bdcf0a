// The process kubelet: registers a Node, binds unscheduled pods to it, runs each pod as
// local processes on its own loopback address, keeps the cluster DNS file and the Service
// proxies current, and offers fault injection (killing a pod's processes as a node failure would).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allocateLoopback } from '../addresses.ts';
import { ApiError } from '../errors.ts';
import type { KubeServer } from '../server.ts';
import type { StoreEvent } from '../store/store.ts';
import type { KubeObject } from '../types.ts';
import { isRecord, nowTime } from '../types.ts';
import { dnsRecords, writeDnsFile } from './dns.ts';
import type { ImageMap } from './images.ts';
import { PodRunner } from './pod-runner.ts';
import { acquireProxy } from './proxy.ts';
import type { RunnerEnv } from './pod-runner.ts';

export interface KubeletOptions {
  server: KubeServer;
  /** Image name -> local command; see ImageSpec. */
  images: ImageMap;
  nodeName?: string;
  /** Where the kubeconfig and DNS files live (default: a fresh temp dir, removed on stop). */
  stateDir?: string;
  /** Restart backoff (default 10s doubling to 300s, like the real kubelet; the first restart is immediate). */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Run startup and readiness probes at least this often, whatever their periodSeconds (their
   * failure thresholds grow to match): a test sees pods turn ready sooner. Default: as the pod says.
   */
  probeMaxPeriodMs?: number;
  /** Working directory when neither the container nor the image sets one (default: process.cwd()). */
  workingDir?: string;
  /** Extra environment for every process (PATH and HOME are passed through already). */
  env?: Record<string, string>;
  /** Copy container output to stderr, prefixed with namespace/pod/container. */
  echoLogs?: boolean;
  logLimitBytes?: number;
}

export interface Kubelet {
  nodeName: string;
  stateDir: string;
  kubeconfigPath: string;
  dnsFile: string;
  podIP(namespace: string, name: string): string | undefined;
  /** SIGKILLs every running process of the pod; returns how many were killed. */
  killPod(namespace: string, name: string): number;
  /** A container's captured output (the first container by default; `previous` for the run before the last restart). */
  logs(namespace: string, name: string, container?: string, previous?: boolean): string | undefined;
  /** Stops this kubelet and kills its pods; the Node and its pods stay in the API as they were. */
  stop(): Promise<void>;
  /**
   * A node failure: every pod process dies (SIGKILL), the kubelet stops, and the Node turns
   * Ready=Unknown, so the scheduler avoids it and, after the server's podEvictionTimeoutMs,
   * its pods are evicted and their controllers replace them on other nodes.
   */
  failNode(): Promise<void>;
}

const PRELOAD = fileURLToPath(new URL('./preload.mjs', import.meta.url));

export function startKubelet(opts: KubeletOptions): Kubelet {
  const { server } = opts;
  const api = server.api;
  const nodeName = opts.nodeName ?? 'weir-node';
  const ownDir = opts.stateDir === undefined;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'weir-kubelet-'));
  const kubeconfigPath = join(stateDir, 'kubeconfig');
  const dnsFile = join(stateDir, 'dns.json');
  writeFileSync(kubeconfigPath, server.kubeconfigYaml);
  writeDnsFile(dnsFile, dnsRecords(api));
  const runners = new Map<string, PodRunner>();
  const report = (err: unknown): void => {
    if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
    process.stderr.write(`kubelet ${nodeName}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  };
  const env: RunnerEnv = {
    api, hostIP: '127.0.0.1', images: opts.images,
    backoffInitialMs: opts.backoff?.initialMs ?? 10_000, backoffMaxMs: opts.backoff?.maxMs ?? 300_000,
    probeMaxPeriodMs: opts.probeMaxPeriodMs ?? Infinity,
    workingDir: opts.workingDir ?? process.cwd(), logLimitBytes: opts.logLimitBytes ?? 1 << 20, echoLogs: opts.echoLogs ?? false,
    preloadFlag: `--import=${pathToFileURL(PRELOAD).href}`,
    stateDir,
    report,
    nodeName,
    baseEnv: (pod, podIP) => ({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      HOSTNAME: pod.metadata.name ?? '',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(server.port),
      KUBERNETES_PORT: `tcp://127.0.0.1:${server.port}`,
      KUBECONFIG: kubeconfigPath,
      WEIR_KUBE_POD_IP: podIP,
      WEIR_KUBE_POD_NAME: pod.metadata.name ?? '',
      WEIR_KUBE_POD_NAMESPACE: pod.metadata.namespace ?? '',
      WEIR_KUBE_DNS_FILE: dnsFile,
      ...(opts.env ?? {}),
    }),
  };

  if (!api.tryGet('v1', 'Node', '', nodeName)) {
    api.create({
      apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName } },
      spec: {},
    });
  }
  const node = api.get('v1', 'Node', '', nodeName);
  api.updateStatus({
    ...node,
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: nowTime(), lastTransitionTime: nowTime() }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: nodeName }],
      nodeInfo: { kubeletVersion: 'v1.31.0-weir-test', operatingSystem: 'linux', architecture: process.arch, containerRuntimeVersion: 'weir-process://1' },
    },
  });

  const handlePod = (pod: KubeObject): void => {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const status = isRecord(pod.status) ? pod.status : {};
    const uid = pod.metadata.uid ?? '';
    // The scheduler (a server controller) binds pods; a kubelet runs what is bound to its node.
    if (spec.nodeName !== nodeName) return;
    let runner = runners.get(uid);
    if (!runner && !pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') {
      runner = new PodRunner(env, pod, allocateLoopback());
      runners.set(uid, runner);
      runner.start();
    }
    if (!runner) {
      // Deleted before it ever ran: nothing to stop, finish the deletion.
      if (pod.metadata.deletionTimestamp) api.delete('v1', 'Pod', pod.metadata.namespace ?? '', pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
      return;
    }
    runner.podUpdated(pod);
    if (pod.metadata.deletionTimestamp) runner.terminate(pod.metadata.deletionGracePeriodSeconds ?? 30).then(() => runners.delete(uid)).catch(report);
  };
  const onEvent = (e: StoreEvent): void => {
    if (e.key === '/services' || e.key === '/endpoints' || e.key === '/pods') queueDns();
    if (e.key === '/configmaps' || e.key === '/secrets') {
      const ref = `${e.key === '/configmaps' ? 'ConfigMap' : 'Secret'}/${e.object.metadata.name ?? ''}`;
      for (const r of runners.values()) if (r.ns === e.object.metadata.namespace && r.volumeSources.has(ref)) r.refreshVolumes();
      return;
    }
    if (e.key !== '/pods') return;
    // Act outside the store's notification, as a kubelet reacting to its watch would.
    setImmediate(() => {
      if (stopped) return;
      try {
        if (e.type === 'DELETED') {
          const runner = runners.get(e.object.metadata.uid ?? '');
          if (runner) {
            runners.delete(runner.uid);
            const spec = isRecord(e.object.spec) ? e.object.spec : {};
            runner.shutdown(Number(spec.terminationGracePeriodSeconds ?? 30) * 1000).catch(report);
          }
          return;
        }
        const latest = api.tryGet('v1', 'Pod', e.object.metadata.namespace ?? '', e.object.metadata.name ?? '');
        if (latest && latest.metadata.uid === e.object.metadata.uid) handlePod(latest);
      } catch (err) {
        report(err);
      }
    });
  };
  const proxy = acquireProxy(server, report);
  let dnsQueued = false;
  const queueDns = (): void => {
    if (dnsQueued) return;
    dnsQueued = true;
    setImmediate(() => {
      dnsQueued = false;
      if (stopped) return;
      writeDnsFile(dnsFile, dnsRecords(api));
      proxy.sync();
    });
  };
  let stopped = false;
  const unsubscribe = server.store.subscribe(onEvent);
  queueDns();
  for (const pod of api.list('v1', 'Pod')) onEvent({ type: 'ADDED', key: '/pods', rv: 0, object: pod as KubeObject });

  const find = (ns: string, name: string): PodRunner | undefined => [...runners.values()].find((r) => r.ns === ns && r.name === name);
  const logs = (ns: string, name: string, container?: string, previous = false): string | undefined => {
    const r = find(ns, name);
    const c = r ? [...r.containers, ...r.inits].find((x) => container === undefined || x.name === container) : undefined;
    return previous ? c?.previousLog : c?.log;
  };
  const removeLogSource = server.addLogSource(logs);
  // Follows the running process of a container until it exits (or the follower goes).
  const removeLogFollower = server.addLogFollower((ns, name, container, send, end) => {
    const r = find(ns, name);
    const c = r ? r.containers.find((x) => container === undefined || x.name === container) : undefined;
    if (!c) return undefined;
    const proc = c.proc;
    if (!proc?.running) {
      end();
      return () => undefined;
    }
    c.logListeners.add(send);
    const stop = (): void => {
      c.logListeners.delete(send);
    };
    proc.exited.then(() => {
      stop();
      end();
    }).catch(report);
    return stop;
  });
  const halt = async (): Promise<void> => {
    stopped = true;
    unsubscribe();
    proxy.release();
    removeLogSource();
    removeLogFollower();
    await Promise.all([...runners.values()].map((r) => r.shutdown(0)));
    runners.clear();
    if (ownDir) rmSync(stateDir, { recursive: true, force: true });
  };
  return {
    nodeName, stateDir, kubeconfigPath, dnsFile,
    podIP: (ns, name) => find(ns, name)?.podIP,
    killPod: (ns, name) => find(ns, name)?.kill() ?? 0,
    logs,
    stop: halt,
    failNode: async () => {
      await halt();
      // What the node lifecycle controller concludes once this kubelet's heartbeats stop.
      const current = api.get('v1', 'Node', '', nodeName);
      api.updateStatus({
        ...current,
        status: {
          ...(isRecord(current.status) ? current.status : {}),
          conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: nowTime(), lastTransitionTime: nowTime() }],
        },
      });
    },
  };
}
