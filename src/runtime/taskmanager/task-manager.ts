/**
 * A TaskManager: registers with the JobManager, heartbeats, and runs the subtasks it is
 * given. It offers `slots` slots, each a worker thread (so a TaskManager uses as many
 * cores as it has slots) with its own data endpoint; subtask s of every vertex runs in
 * the slot the JobManager placed at index s. This main thread talks to the JobManager,
 * merges the slots' reports into one per attempt, and serves every slot's metrics.
 */
import { randomBytes } from 'node:crypto';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { MetricsServer } from '../metrics/metrics-server.ts';
import { mergePrometheusTexts } from '../metrics/merge-prometheus-text.ts';
import type { AttemptReport, DeploymentDescriptor, HeartbeatResponse, RegistrationResponse } from '../cluster-protocol/messages.ts';
import { localAssignments } from '../cluster-protocol/slot-placement.ts';
import { AttemptResults } from './attempt-results.ts';
import { attemptKey } from './slot-protocol.ts';
import { SlotWorkerHandle } from './slot-worker-handle.ts';

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
  private slots: SlotWorkerHandle[] = [];
  /** Metrics of this main thread; each slot's task metrics are merged in on scrape. */
  readonly metricRegistry = new MetricRegistry();
  private metricsServer: MetricsServer | undefined;
  private metricsAddress: { host: string; port: number } | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private readonly reports: AttemptReport[] = [];
  private readonly attempts: AttemptResults;
  /** Cancels that arrived before their deployment (both may come in one heartbeat answer). */
  private readonly cancelledEarly = new Set<string>();
  private stopped = false;

  constructor(private readonly options: TaskManagerOptions) {
    this.id = options.id ?? `tm-${randomBytes(4).toString('hex')}`;
    this.attempts = new AttemptResults({
      report: (r) => this.reports.push(r),
      cancel: (key, slots) => {
        for (const s of slots) this.slots[s]?.cancel(key);
      },
    });
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
    const host = this.options.host ?? '127.0.0.1';
    if (this.slots.length === 0) {
      const started = await Promise.allSettled(
        Array.from({ length: this.options.slots }, (_, slot) =>
          SlotWorkerHandle.start(
            { tmId: this.id, slot, host, bufferTimeoutMs: this.options.bufferTimeoutMs ?? 100 },
            {
              running: (key) => this.attempts.running(key),
              ended: (key, result) => this.attempts.ended(key, slot, result),
              log: (line) => this.options.log?.(line),
            },
          ),
        ),
      );
      const slots = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failure = started.find((r) => r.status === 'rejected');
      if (failure) {
        // No half-started TaskManager: the workers that did start must not linger.
        await Promise.all(slots.map((s) => s.stop()));
        throw failure.reason;
      }
      this.slots = slots;
    }
    if (!this.metricsServer) {
      this.metricsServer = new MetricsServer({ contentType: this.metricRegistry.contentType, metrics: () => this.metricsText() }, { host, port: this.options.metricsPort ?? 0 });
      const { port } = await this.metricsServer.start();
      this.metricsAddress = { host, port };
    }
    await this.register();
  }

  /** This thread's metrics and every slot's, as one Prometheus exposition. */
  async metricsText(): Promise<string> {
    const texts = await Promise.all([this.metricRegistry.metrics(), ...this.slots.map((s) => s.metrics())]);
    return mergePrometheusTexts(texts);
  }

  private async register(): Promise<void> {
    const slotData = this.slots.map((s) => s.address);
    const r = await this.post<RegistrationResponse>('/internal/taskmanagers/register', { id: this.id, slots: this.options.slots, data: slotData[0], slotData, metrics: this.metricsAddress });
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
        // Stopped while the heartbeat was in flight: the slot threads are gone.
        if (this.stopped) return;
        if (r.unknown) {
          // The JobManager declared this TaskManager lost and failed every attempt on it:
          // what still runs here is orphaned and would run (and hold its slots) forever.
          this.attempts.cancelAll();
          await this.register();
        }
        for (const c of r.cancel) this.cancelAttempt(attemptKey(c));
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
    if (!this.attempts.cancel(key)) this.cancelledEarly.add(key);
  }

  /**
   * The JobManager lists this TaskManager's slots in order (slotData), so the k-th
   * subtask index it gives this TaskManager runs in slot k.
   */
  private deploy(d: DeploymentDescriptor): void {
    const key = attemptKey(d);
    const assignments = localAssignments(d.slotOwners, this.id);
    if (assignments.length > this.slots.length) {
      const error = { code: 'NOT_ENOUGH_SLOTS' as const, message: `TaskManager ${this.id} was given ${assignments.length} subtasks per vertex but has ${this.slots.length} slot(s)` };
      this.reports.push({ jobId: d.jobId, attempt: d.attempt, state: 'FAILED', error });
      return;
    }
    this.attempts.begin(d, assignments.map((a) => a.slot));
    for (const a of assignments) this.slots[a.slot]!.deploy(d, a.subtask);
    if (this.cancelledEarly.delete(key)) this.attempts.cancel(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await Promise.all(this.slots.map((s) => s.stop()));
    await this.metricsServer?.close();
  }
}
