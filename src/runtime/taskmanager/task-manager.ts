/**
 * A TaskManager: registers with the JobManager (jobmanager-connection.ts) and runs the
 * subtasks it is given. It offers `slots` slots, each a worker thread (so a TaskManager uses as many
 * cores as it has slots) with its own data endpoint; subtask s of every vertex runs in
 * the slot the JobManager placed at index s. This main thread talks to the JobManager,
 * merges the slots' reports into one per attempt, and serves every slot's metrics.
 */
import { randomBytes } from 'node:crypto';
import { MetricRegistry } from '../metrics/registry.ts';
import { mergePrometheusTexts } from '../metrics/merge-prometheus-text.ts';
import type { DeploymentDescriptor, TaskManagerCommand } from '../cluster-protocol/messages.ts';
import { localAssignments } from '../cluster-protocol/slot-placement.ts';
import { AttemptResults } from './attempt-results.ts';
import { JobManagerConnection } from './jobmanager-connection.ts';
import type { RegistrationPolicy } from './jobmanager-connection.ts';
import { TaskManagerHttp } from './task-manager-http.ts';
import type { WeirError } from '../../errors/index.ts';
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
  /** How long to look for a JobManager (`taskmanager.registration.timeout`) and how often. */
  registration?: RegistrationPolicy;
  /** This TaskManager gave up (no JobManager within the registration timeout): the process should end. */
  onFatal?: (err: WeirError) => void;
  log?: (line: string) => void;
}

export class TaskManager {
  readonly id: string;
  private slots: SlotWorkerHandle[] = [];
  /** Metrics of this main thread; each slot's task metrics are merged in on scrape. */
  readonly metricRegistry = new MetricRegistry();
  private http: TaskManagerHttp | undefined;
  private metricsAddress: { host: string; port: number } | undefined;
  private readonly attempts: AttemptResults;
  private readonly jobManager: JobManagerConnection;
  /** Cancels that arrived before their deployment. */
  private readonly cancelledEarly = new Set<string>();
  /**
   * Attempts of a JobManager that forgot this TaskManager (it failed them, or a new leader
   * never knew them): nothing of theirs is reported, as the next JobManager may run an
   * attempt of the same job and number.
   */
  private readonly orphaned = new Set<string>();

  constructor(private readonly options: TaskManagerOptions) {
    this.id = options.id ?? `tm-${randomBytes(4).toString('hex')}`;
    this.attempts = new AttemptResults({
      report: (r) => {
        if (!this.orphaned.has(attemptKey(r))) this.jobManager.report(r);
      },
      cancel: (key, slots) => {
        for (const s of slots) this.slots[s]?.cancel(key);
      },
    });
    this.jobManager = new JobManagerConnection(
      options.jobManagerUrl,
      () => {
        const slotData = this.slots.map((s) => s.address);
        return { id: this.id, slots: this.options.slots, data: slotData[0]!, slotData, metrics: this.metricsAddress };
      },
      {
        commands: (commands) => {
          for (const c of commands) this.onCommand(c);
        },
        // Every attempt here was failed by the JobManager (or is unknown to a new leader): cancel
        // what still runs, and register again only once it ended, with nothing of it reported.
        forgotten: async () => {
          for (const key of this.attempts.cancelAll()) this.orphaned.add(key);
          await this.attempts.idle();
        },
        fatal: (err) => {
          this.attempts.cancelAll();
          this.options.onFatal?.(err);
        },
        log: (line) => this.options.log?.(line),
      },
      options.registration,
    );
  }

  /** Registered with a JobManager that answers (what `GET /readyz` reports). */
  get registered(): boolean {
    return this.jobManager.registered;
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
              taskStates: (states) => {
                const own = states.filter((st) => !this.orphaned.has(attemptKey(st)));
                if (own.length > 0) this.jobManager.reportTaskStates(own);
              },
              checkpoint: (report) => {
                if (!this.orphaned.has(attemptKey(report))) this.jobManager.reportCheckpoint(report);
              },
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
    if (!this.http) {
      const metrics = { contentType: this.metricRegistry.contentType, metrics: () => this.metricsText() };
      this.http = new TaskManagerHttp({ host, port: this.options.metricsPort ?? 0, metrics, registered: () => this.registered });
      const port = await this.http.start();
      this.metricsAddress = { host, port };
    }
    await this.jobManager.start();
  }

  /** This thread's metrics and every slot's, as one Prometheus exposition. */
  async metricsText(): Promise<string> {
    const texts = await Promise.all([this.metricRegistry.metrics(), ...this.slots.map((s) => s.metrics())]);
    return mergePrometheusTexts(texts);
  }

  private onCommand(c: TaskManagerCommand): void {
    switch (c.type) {
      case 'deploy':
        return this.deploy(c.deployment);
      case 'cancel': {
        const key = attemptKey(c);
        if (!this.attempts.cancel(key)) this.cancelledEarly.add(key);
        return;
      }
      case 'control':
        for (const slot of this.attempts.slotsOf(attemptKey(c))) this.slots[slot]?.control(attemptKey(c), c.message, c.vertexId);
        return;
    }
  }

  /** Each subtask index given to this TaskManager runs in the slot the JobManager named for it. */
  private deploy(d: DeploymentDescriptor): void {
    const key = attemptKey(d);
    // Registered again after its orphans ended: an attempt of this key now is the new JobManager's.
    this.orphaned.delete(key);
    const assignments = localAssignments(d, this.id);
    const missing = assignments.find((a) => !(a.slot >= 0 && a.slot < this.slots.length));
    if (missing) {
      const error = { code: 'NOT_ENOUGH_SLOTS' as const, message: `TaskManager ${this.id} was given subtask ${missing.subtask} for its slot ${missing.slot} but has ${this.slots.length} slot(s)` };
      this.jobManager.report({ jobId: d.jobId, attempt: d.attempt, state: 'FAILED', error });
      return;
    }
    this.attempts.begin(d, assignments.map((a) => a.slot));
    for (const a of assignments) this.slots[a.slot]!.deploy(d, a.subtask);
    if (this.cancelledEarly.delete(key)) this.attempts.cancel(key);
  }

  async stop(): Promise<void> {
    await this.jobManager.stop();
    await Promise.all(this.slots.map((s) => s.stop()));
    await this.http?.close();
  }
}
