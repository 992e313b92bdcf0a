/**
 * A TaskManager: registers with the JobManager, heartbeats, and runs the subtasks it is
 * given. Each deployment imports the job module, rebuilds the plan, refuses it when its
 * plan hash differs from the JobManager's, and runs its share of the subtasks, talking
 * to peer TaskManagers over the TCP data plane.
 */
import { randomBytes } from 'node:crypto';
import { WeirError, errorMessage } from '../errors.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import { loadJob } from '../graph/load-job.ts';
import { NetworkEndpoint } from '../network/tcp/network-endpoint.ts';
import type { Connection } from '../network/tcp/connection.ts';
import { LocalExecutor } from '../task/local-executor.ts';
import { ClusterChannelFactory } from './cluster-channel-factory.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { MetricsServer } from '../metrics/metrics-server.ts';
import type { AttemptReport, DeploymentDescriptor, HeartbeatResponse, RegistrationResponse } from './protocol.ts';

export interface TaskManagerOptions {
  /** e.g. http://127.0.0.1:8081 */
  jobManagerUrl: string;
  slots: number;
  id?: string;
  host?: string;
  /** Port of GET /metrics (default 0: ephemeral). */
  metricsPort?: number;
  /** `execution.buffer-timeout` in ms for this TaskManager's outputs. */
  bufferTimeoutMs?: number;
  log?: (line: string) => void;
}

export class TaskManager {
  readonly id: string;
  private endpoint: NetworkEndpoint | undefined;
  /** This TaskManager's task and operator metrics, served on GET /metrics. */
  readonly metricRegistry = new MetricRegistry();
  private metricsServer: MetricsServer | undefined;
  private metricsAddress: { host: string; port: number } | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private readonly reports: AttemptReport[] = [];
  private readonly running = new Map<string, LocalExecutor>();
  /** Cancels that arrived while the deployment was still loading (no executor yet). */
  private readonly cancelledEarly = new Set<string>();
  private stopped = false;

  constructor(private readonly options: TaskManagerOptions) {
    this.id = options.id ?? `tm-${randomBytes(4).toString('hex')}`;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.options.jobManagerUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (err) {
      throw new WeirError('JOBMANAGER_UNREACHABLE', `cannot reach the JobManager at ${this.options.jobManagerUrl}: ${errorMessage(err)}`, true, { cause: err });
    }
    const json = (await response.json()) as T & { errors?: string[] };
    if (!response.ok) throw new WeirError('JOBMANAGER_REFUSED', `the JobManager refused ${path}: ${json.errors?.join('; ') ?? response.status}`, false);
    return json;
  }

  async start(): Promise<void> {
    this.endpoint ??= await NetworkEndpoint.listen({ host: this.options.host ?? '127.0.0.1', port: 0 });
    if (!this.metricsServer) {
      this.metricsServer = new MetricsServer(this.metricRegistry, { host: this.options.host ?? '127.0.0.1', port: this.options.metricsPort ?? 0 });
      const { host, port } = await this.metricsServer.start();
      this.metricsAddress = { host, port };
    }
    await this.register();
  }

  private async register(): Promise<void> {
    const r = await this.post<RegistrationResponse>('/internal/taskmanagers/register', { id: this.id, slots: this.options.slots, data: this.endpoint!.address, metrics: this.metricsAddress });
    this.options.log?.(`registered as ${this.id} with ${this.options.slots} slot(s)`);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), r.heartbeatIntervalMs);
  }

  private heartbeat(): void {
    if (this.heartbeatInFlight || this.stopped) return;
    this.heartbeatInFlight = true;
    const reports = this.reports.splice(0);
    this.post<HeartbeatResponse>(`/internal/taskmanagers/${this.id}/heartbeat`, { reports })
      .then(async (r) => {
        if (r.unknown) await this.register();
        for (const c of r.cancel) this.cancelAttempt(`${c.jobId}#${c.attempt}`);
        for (const d of r.deploy) this.deploy(d);
      })
      .catch((err: unknown) => {
        // Keep the reports for the next heartbeat; the JobManager may be restarting.
        this.reports.unshift(...reports);
        this.options.log?.(`heartbeat failed: ${errorMessage(err)}`);
      })
      .finally(() => (this.heartbeatInFlight = false));
  }

  private cancelAttempt(key: string): void {
    const executor = this.running.get(key);
    if (executor) executor.cancel();
    else this.cancelledEarly.add(key);
  }

  private report(r: AttemptReport): void {
    this.reports.push(r);
  }

  private deploy(d: DeploymentDescriptor): void {
    const key = `${d.jobId}#${d.attempt}`;
    this.run(d, key).catch((err: unknown) => {
      this.running.delete(key);
      const e = err instanceof WeirError ? err : new WeirError('DEPLOYMENT_FAILED', errorMessage(err), false);
      this.report({ jobId: d.jobId, attempt: d.attempt, state: 'FAILED', error: { code: e.code, message: e.message } });
    });
  }

  private async run(d: DeploymentDescriptor, key: string): Promise<void> {
    const job = await loadJob(d.jobPath);
    const plan = await buildJobPlan(job, { parallelism: d.parallelism, args: d.args, config: d.config });
    if (plan.jobGraph.planHash !== d.planHash) {
      throw new WeirError(
        'PLAN_MISMATCH',
        `TaskManager ${this.id} built a different plan for ${d.jobPath} (hash ${plan.jobGraph.planHash.slice(0, 12)}) than the JobManager (${d.planHash.slice(0, 12)}); the job's main must build the same plan everywhere (no randomness, clock or environment-dependent branches)`,
        false,
      );
    }
    const connections = new Map<string, Connection>();
    for (const peer of new Set(d.slotOwners)) if (peer !== this.id) connections.set(peer, await this.endpoint!.connect(d.peers[peer]!));
    const bufferTimeoutMs = this.options.bufferTimeoutMs ?? 100;
    const channels = new ClusterChannelFactory(key, this.endpoint!, this.id, d.slotOwners, connections, bufferTimeoutMs);
    const executor = new LocalExecutor(plan, {
      channels,
      metrics: { registry: this.metricRegistry, jobId: d.jobId, tmId: this.id, attemptNumber: d.attempt, jobMetrics: false },
    });
    this.running.set(key, executor);
    if (this.cancelledEarly.delete(key)) executor.cancel();
    this.report({ jobId: d.jobId, attempt: d.attempt, state: 'RUNNING' });
    const result = await executor.run().finally(() => channels.close());
    this.running.delete(key);
    executor.taskMetrics?.close();
    this.report({
      jobId: d.jobId,
      attempt: d.attempt,
      state: result.state,
      error: result.error ? { code: result.error.code, message: result.error.message, operatorName: (result.error as { operatorName?: string }).operatorName } : undefined,
      collected: [...result.collected],
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const e of this.running.values()) e.cancel();
    await this.endpoint?.close();
    await this.metricsServer?.close();
  }
}
