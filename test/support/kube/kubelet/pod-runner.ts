// Runs one pod: init containers in order, then the containers, restarting them per
// restartPolicy with exponential backoff, probing readiness and liveness, and writing the
// pod's status; on deletion it stops the processes within the grace period and removes
// the pod.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApi } from '../api/api.ts';
import type { KubeObject, JsonObject } from '../types.ts';
import { isRecord, nowTime } from '../types.ts';
import { ContainerProcess } from './container.ts';
import type { ExitInfo } from './container.ts';
import { ContainerState } from './container-state.ts';
import { containerEnv, EnvError, expandVars } from './env.ts';
import type { ImageMap } from './images.ts';
import { containerArgv, resolveImage } from './images.ts';
import { execProbe, startProbes } from './container-probes.ts';
import { recordEvent } from '../controllers/events.ts';
import { podStatus } from './pod-status.ts';
import { materializeVolumes, mountTable, volumeSources } from './volumes.ts';

export interface RunnerEnv {
  api: KubeApi;
  hostIP: string;
  images: ImageMap;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** The longest period of a startup or readiness probe (container-probes.ts). */
  probeMaxPeriodMs: number;
  workingDir: string;
  logLimitBytes: number;
  echoLogs: boolean;
  baseEnv: (pod: KubeObject, podIP: string) => Record<string, string>;
  /** Per-pod directories (volumes, container working directories) live under here. */
  stateDir: string;
  /** Node flag that loads the in-pod resolver; kept even when a pod sets its own NODE_OPTIONS. */
  preloadFlag: string;
  report: (err: unknown) => void;
  nodeName: string;
}

const RESET_BACKOFF_AFTER_MS = 10 * 60 * 1000;

export class PodRunner {
  readonly ns: string;
  readonly name: string;
  readonly uid: string;
  readonly inits: ContainerState[];
  readonly containers: ContainerState[];
  readonly startTime = nowTime();
  private initIndex = 0;
  private terminating = false;
  private statusQueued = false;
  private closed = false;
  readonly transitions = new Map<string, { status: string; time: string }>();

  constructor(private readonly env: RunnerEnv, private pod: KubeObject, readonly podIP: string) {
    this.ns = pod.metadata.namespace ?? '';
    this.name = pod.metadata.name ?? '';
    this.uid = pod.metadata.uid ?? '';
    const spec = isRecord(pod.spec) ? pod.spec : {};
    this.inits = (Array.isArray(spec.initContainers) ? spec.initContainers.filter(isRecord) : []).map((c) => new ContainerState(c, true));
    this.containers = (Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : []).map((c) => new ContainerState(c, false));
  }

  get restartPolicy(): string {
    return isRecord(this.pod.spec) && typeof this.pod.spec.restartPolicy === 'string' ? this.pod.spec.restartPolicy : 'Always';
  }

  get initialized(): boolean {
    return this.initIndex >= this.inits.length;
  }

  start(): void {
    this.next();
  }

  /** Starts the next init container, or all containers once init is done. */
  private next(): void {
    if (this.terminating) return;
    if (!this.initialized) this.safeLaunch(this.inits[this.initIndex]!);
    else for (const c of this.containers) this.safeLaunch(c);
    this.queueStatus();
  }

  /** Runs from timers and promise callbacks: a failure is reported, never thrown into the event loop. */
  private safeLaunch(c: ContainerState): void {
    try {
      this.launch(c);
    } catch (err) {
      c.state = { waiting: { reason: 'RunContainerError', message: err instanceof Error ? err.message : String(err) } };
      this.queueStatus();
      this.env.report(err);
    }
  }

  private launch(c: ContainerState): void {
    if (this.terminating) return;
    const image = resolveImage(this.env.images, c.image);
    if (!image) {
      c.state = { waiting: { reason: 'ErrImagePull', message: `image "${c.image}" is not mapped to a local command` } };
      this.event(c, 'Warning', 'Failed', `Failed to pull image "${c.image}": it is not mapped to a local command`);
      return;
    }
    let envVars: Record<string, string>;
    try {
      // The kubelet knows the pod's IPs before any container starts; fieldRefs see them.
      const status = isRecord(this.pod.status) ? this.pod.status : {};
      const view = { ...this.pod, status: { ...status, podIP: this.podIP, podIPs: [{ ip: this.podIP }], hostIP: this.env.hostIP } };
      envVars = containerEnv(this.env.api, view, c.spec, { ...this.env.baseEnv(this.pod, this.podIP), ...(image.env ?? {}) });
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      // Missing config is retried until it appears, as the kubelet does.
      c.state = { waiting: { reason: 'CreateContainerConfigError', message: err.message } };
      c.restartTimer = setTimeout(() => this.safeLaunch(c), 1000);
      this.queueStatus();
      return;
    }
    if (!(envVars.NODE_OPTIONS ?? '').includes(this.env.preloadFlag)) {
      envVars.NODE_OPTIONS = `${this.env.preloadFlag} ${envVars.NODE_OPTIONS ?? ''}`.trim();
    }
    let mounts: Record<string, string>;
    try {
      mounts = { ...(image.files ?? {}), ...mountTable(c.spec, materializeVolumes(this.env.api, this.pod, this.podDir, this.env)) };
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      c.state = { waiting: { reason: 'ContainerCreating', message: err.message } };
      c.restartTimer = setTimeout(() => this.safeLaunch(c), 1000);
      this.queueStatus();
      return;
    }
    const argv = containerArgv(image, c.spec, (s) => expandVars(s, envVars));
    // The image's working directory is a host path already; a container's own is a path inside the container.
    const cwd = typeof c.spec.workingDir === 'string' ? this.hostPath(c.spec.workingDir, mounts) : (image.workingDir ?? this.env.workingDir);
    if (Object.keys(mounts).length > 0) {
      envVars.WEIR_KUBE_MOUNTS = JSON.stringify(mounts);
      // The kubelet's files and the image's own (on the host) stay where they are whatever is mounted over their paths.
      envVars.WEIR_KUBE_HOST_PATHS = JSON.stringify([this.env.stateDir, image.workingDir ?? this.env.workingDir]);
    }
    const proc = new ContainerProcess({
      argv, env: envVars, cwd, onOutput: (chunk) => c.appendLog(chunk, this.env.logLimitBytes, this.env.echoLogs, `[${this.ns}/${this.name}/${c.name}]`),
    });
    c.proc = proc;
    c.state = { running: { startedAt: nowTime(proc.startedAt) } };
    this.event(c, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    this.event(c, 'Normal', 'Created', `Created container ${c.name}`);
    this.event(c, 'Normal', 'Started', `Started container ${c.name}`);
    c.ready = !c.init && !isRecord(c.spec.readinessProbe) && !isRecord(c.spec.startupProbe);
    c.started = true;
    if (!c.init) startProbes(c, this.podIP, execProbe({ image, env: envVars, cwd }), () => this.stopContainer(c), () => this.queueStatus(), this.env.probeMaxPeriodMs);
    proc.exited.then((exit) => this.onExit(c, proc, exit)).catch((err: unknown) => this.env.report(err));
  }

  get podDir(): string {
    return join(this.env.stateDir, 'pods', this.uid);
  }

  /** Where a container path lives on the host: through a mount, else as is, else created in the pod's root. */
  private hostPath(path: string, mounts: Record<string, string>): string {
    const mount = Object.keys(mounts).sort((a, b) => b.length - a.length).find((m) => path === m || path.startsWith(`${m}/`));
    if (mount) return mounts[mount]! + path.slice(mount.length);
    if (existsSync(path)) return path;
    // The runtime creates a missing working directory inside the container's file system.
    const inPod = join(this.podDir, 'root', path);
    mkdirSync(inPod, { recursive: true });
    return inPod;
  }

  /** Rewrites configMap/secret volume contents after their source changed. */
  refreshVolumes(): void {
    if (this.closed) return;
    try {
      materializeVolumes(this.env.api, this.pod, this.podDir, this.env);
    } catch (err) {
      if (!(err instanceof EnvError)) this.env.report(err);
    }
  }

  private stopContainer(c: ContainerState): void {
    c.proc?.stop(this.graceMs()).catch((err: unknown) => this.env.report(err));
  }

  private graceMs(): number {
    const spec = isRecord(this.pod.spec) ? this.pod.spec : {};
    return Number(spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private onExit(c: ContainerState, proc: ContainerProcess, exit: ExitInfo): void {
    if (c.proc !== proc) return;
    c.stopProbes();
    c.ready = false;
    c.lastExit = exit;
    c.state = c.terminatedState(exit, this.env.logLimitBytes);
    if (this.terminating || this.closed) {
      this.queueStatus();
      return;
    }
    const policy = this.restartPolicy;
    if (c.init && exit.exitCode === 0) {
      c.done = true;
      this.initIndex++;
      this.next();
      return;
    }
    const restart = policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0) || (c.init && policy !== 'Never');
    if (!restart) {
      c.done = true;
      this.queueStatus();
      return;
    }
    if (exit.finishedAt.getTime() - exit.startedAt.getTime() > RESET_BACKOFF_AFTER_MS) c.backoffMs = 0;
    const delay = c.backoffMs;
    c.backoffMs = Math.min(Math.max(c.backoffMs * 2, this.env.backoffInitialMs), this.env.backoffMaxMs);
    const relaunch = (): void => {
      c.restartTimer = undefined;
      if (this.terminating || this.closed) return;
      c.lastState = c.terminatedState(exit);
      c.restartCount++;
      c.rotateLog();
      this.safeLaunch(c);
      this.queueStatus();
    };
    if (delay === 0) {
      relaunch();
      return;
    }
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${this.name}_${this.ns}(${this.uid})` } };
    this.event(c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.name}_${this.ns}(${this.uid})`);
    c.lastState = c.terminatedState(exit);
    c.restartTimer = setTimeout(relaunch, delay);
    this.queueStatus();
  }

  /** Node failure: every process of the pod dies at once. */
  kill(): number {
    let n = 0;
    for (const c of [...this.inits, ...this.containers]) {
      if (c.proc?.running) {
        c.proc.signal('SIGKILL');
        n++;
      }
    }
    return n;
  }

  /** A changed container image restarts that container with the new one, as the kubelet does. */
  get volumeSources(): Set<string> {
    return volumeSources(this.pod);
  }

  podUpdated(pod: KubeObject): void {
    this.pod = pod;
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const specs = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
    for (const c of this.containers) {
      const next = specs.find((x) => x.name === c.name);
      if (!next || next.image === c.spec.image || this.terminating) continue;
      c.spec = next;
      if (c.proc?.running) this.stopContainer(c);
    }
  }

  /** Graceful termination after the pod got a deletionTimestamp; removes the pod afterwards. */
  async terminate(graceSeconds: number): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    for (const c of this.containers) if (c.proc?.running) this.event(c, 'Normal', 'Killing', `Stopping container ${c.name}`);
    await this.stopAll(graceSeconds * 1000);
    this.writeStatus();
    this.closed = true;
    rmSync(this.podDir, { recursive: true, force: true });
    try {
      this.env.api.delete('v1', 'Pod', this.ns, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (err) {
      this.env.report(err);
    }
  }

  /** Stops every process without touching the API (pod already gone, or kubelet shutting down). */
  async shutdown(graceMs: number): Promise<void> {
    this.terminating = true;
    this.closed = true;
    await this.stopAll(graceMs);
    rmSync(this.podDir, { recursive: true, force: true });
  }

  private async stopAll(graceMs: number): Promise<void> {
    const all = [...this.inits, ...this.containers];
    for (const c of all) {
      if (c.restartTimer) clearTimeout(c.restartTimer);
      c.stopProbes();
    }
    await Promise.all(all.map((c) => c.proc?.stop(graceMs)));
  }

  /** An Event about one container of this pod, as the kubelet records them. */
  private event(c: ContainerState, type: 'Normal' | 'Warning', reason: string, message: string): void {
    recordEvent(this.env.api, this.pod, type, reason, message, { component: 'kubelet', host: this.env.nodeName }, `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`);
  }

  queueStatus(): void {
    if (this.statusQueued || this.closed) return;
    this.statusQueued = true;
    setImmediate(() => {
      this.statusQueued = false;
      if (!this.closed) this.writeStatus();
    });
  }

  private writeStatus(): void {
    const current = this.env.api.tryGet('v1', 'Pod', this.ns, this.name);
    if (!current || current.metadata.uid !== this.uid) return;
    const status: JsonObject = podStatus(this, this.env.hostIP, current);
    try {
      this.env.api.updateStatus({ ...current, status });
    } catch (err) {
      this.env.report(err);
    }
  }
}
