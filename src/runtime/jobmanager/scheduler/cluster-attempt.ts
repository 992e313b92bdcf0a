/**
 * One attempt of a job on the cluster: waits for enough free slots and holds them, deploys
 * a share of the subtasks to each TaskManager, and ends when all of them reported an end, or
 * as soon as one fails or is lost (the others are then cancelled). A TaskManager's slots are
 * free again once its part of the attempt ended.
 */
import { WeirError, errorCodeOf } from '../../../errors/index.ts';
import type { JobPlan } from '../../graph/job-plan.ts';
import type { SubtaskRecords, VertexMetrics } from '../../task/task-group.ts';
import { placeSubtasks, slotsNeeded } from '../../cluster-protocol/slot-placement.ts';
import type { AttemptContext, AttemptRunner, JobResult } from '../attempt-runner.ts';
import { decodeAck } from '../../checkpoint/ack-transport.ts';
import type { AttemptReport, DeploymentDescriptor } from '../../cluster-protocol/messages.ts';
import type { TaskManagerRegistry } from './task-manager-registry.ts';
import { SubtaskStates } from '../subtask-states.ts';
import type { SubtaskTimestamps } from '../subtask-states.ts';
import type { ControlMessage } from '../../task/control-inbox.ts';
import type { ExecutionState } from '../../task/execution-state.ts';

/** What every TaskManager's deployment of the attempt shares, plus how long to wait for slots. */
export type ClusterAttemptOptions = Pick<DeploymentDescriptor, 'jobId' | 'attempt' | 'jobPath' | 'args' | 'parallelism' | 'config'> & {
  /** `slot.request.timeout`: how long to wait for enough slots. */
  slotWaitMs: number;
};

const FINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

export class ClusterAttempt implements AttemptRunner {
  private involved: string[] = [];
  private readonly finalReports = new Map<string, AttemptReport>();
  private firstError: WeirError | undefined;
  private cancelled = false;
  private wake: (() => void) | undefined;
  private readonly states: SubtaskStates;
  private slotOwners: readonly string[] = [];

  constructor(
    private readonly registry: TaskManagerRegistry,
    private readonly plan: JobPlan,
    private readonly context: AttemptContext,
    private readonly o: ClusterAttemptOptions,
  ) {
    this.states = new SubtaskStates(plan.jobGraph);
  }

  subtaskStates(): ReadonlyMap<string, readonly ExecutionState[]> {
    return this.states.all();
  }

  subtaskTimestamps(): ReadonlyMap<string, readonly SubtaskTimestamps[]> {
    return this.states.timestamps();
  }

  sendControl(message: ControlMessage, vertexId?: string): void {
    for (const tm of this.involved) {
      if (!this.finalReports.has(tm)) this.registry.send(tm, { type: 'control', jobId: this.o.jobId, attempt: this.o.attempt, message, ...(vertexId ? { vertexId } : {}) });
    }
  }

  private get name(): string {
    return this.plan.jobGraph.jobName;
  }

  /** How the registry knows this attempt's slots. */
  private get holder(): string {
    return `${this.o.jobId}/${this.o.attempt}`;
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async run(): Promise<JobResult> {
    const started = Date.now();
    const needed = slotsNeeded(this.plan.jobGraph);
    let placement = placeSubtasks(this.plan.jobGraph, this.registry.freeSlots());
    if (!placement) this.states.setAll('SCHEDULED');
    while (!placement) {
      if (this.cancelled) return this.result('CANCELED', started);
      if (Date.now() - started > this.o.slotWaitMs) {
        const offered = `the registered TaskManagers have ${this.registry.availableSlots()} free of ${this.registry.totalSlots()}`;
        this.firstError = new WeirError('NO_RESOURCE_AVAILABLE', `the job needs ${needed} slot(s) but ${offered} after ${this.o.slotWaitMs}ms; start more TaskManagers, lower the parallelism or wait for other jobs to end`, true);
        return this.result('FAILED', started);
      }
      await this.waitForChange(100);
      placement = placeSubtasks(this.plan.jobGraph, this.registry.freeSlots());
    }
    // A cancel that came while waiting for slots found no TaskManager to tell: deploy nothing.
    if (this.cancelled) return this.result('CANCELED', started);
    this.registry.allocate(this.holder, placement);
    this.involved = [...new Set(placement.slotOwners)];
    this.slotOwners = placement.slotOwners;
    const descriptor: DeploymentDescriptor = {
      jobId: this.o.jobId,
      attempt: this.o.attempt,
      jobPath: this.o.jobPath,
      args: this.o.args,
      parallelism: this.o.parallelism,
      config: this.o.config,
      planHash: this.plan.jobGraph.planHash,
      ...placement,
      ...(this.context.restoreFrom === undefined ? {} : { restoreFrom: this.context.restoreFrom }),
    };
    const stopListening = this.registry.listen({
      onReport: (tm, r) => this.onReport(tm, r),
      onTaskStates: (_tm, updates) => {
        for (const u of updates) if (u.jobId === this.o.jobId && u.attempt === this.o.attempt) this.states.set(u.vertexId, u.subtask, u.state);
      },
      onCheckpoints: (_tm, reports) => {
        for (const r of reports) {
          if (r.jobId !== this.o.jobId || r.attempt !== this.o.attempt) continue;
          if (r.ack !== undefined) this.context.checkpoints.acknowledge(decodeAck(r.ack));
          if (r.decline) this.context.checkpoints.decline(r.decline.vertexId, r.decline.subtask, r.decline.checkpointId, r.decline.reason);
          if (r.inputEnded) this.context.checkpoints.inputEnded(r.inputEnded.vertexId, r.inputEnded.subtask);
        }
      },
      onLost: (tm, why) => {
        if (!this.involved.includes(tm) || this.finalReports.has(tm)) return;
        this.states.setWhere((s) => this.slotOwners[s] === tm, 'FAILED');
        this.finalReports.set(tm, { jobId: this.o.jobId, attempt: this.o.attempt, state: 'FAILED' });
        this.fail(new WeirError('TASK_MANAGER_LOST', `TaskManager ${tm} was lost: ${why}`, true));
      },
    });
    try {
      this.states.setAll('DEPLOYING');
      for (const id of this.involved) this.registry.send(id, { type: 'deploy', deployment: descriptor });
      while (this.finalReports.size < this.involved.length) await this.waitForChange(200);
    } finally {
      stopListening();
    }
    if (this.firstError) return this.result('FAILED', started);
    if (this.cancelled || [...this.finalReports.values()].some((r) => r.state === 'CANCELED')) return this.result('CANCELED', started);
    return this.result('FINISHED', started);
  }

  private onReport(tm: string, r: AttemptReport): void {
    if (r.jobId !== this.o.jobId || r.attempt !== this.o.attempt || !FINAL.has(r.state)) return;
    this.finalReports.set(tm, r);
    this.registry.release(this.holder, tm);
    if (r.state === 'FAILED') {
      const e = new WeirError(errorCodeOf(r.error?.code, 'TASK_FAILED'), r.error?.message ?? `a task on TaskManager ${tm} failed`, r.error?.retriable ?? true);
      if (r.error?.operatorName) Object.assign(e, { operatorName: r.error.operatorName });
      this.fail(e);
    }
    this.wake?.();
  }

  fail(err: WeirError): void {
    this.firstError ??= err;
    this.cancelOthers();
    this.wake?.();
  }

  private cancelOthers(): void {
    for (const id of this.involved) {
      if (this.finalReports.has(id)) continue;
      this.registry.send(id, { type: 'cancel', jobId: this.o.jobId, attempt: this.o.attempt });
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.cancelOthers();
    this.wake?.();
  }

  /** Records and watermarks live in the TaskManagers' metrics, which REST scrapes. */
  vertexMetrics(): VertexMetrics[] {
    return [];
  }

  endedRecords(): SubtaskRecords[] {
    return [...this.finalReports.values()].flatMap((r) => r.records ?? []);
  }

  private result(state: JobResult['state'], started: number): JobResult {
    this.registry.release(this.holder);
    this.states.settle(state);
    const collected = new Map<string, unknown[]>();
    for (const r of this.finalReports.values()) {
      for (const [name, values] of r.collected ?? []) collected.set(name, [...(collected.get(name) ?? []), ...values]);
    }
    const error = state === 'FAILED' ? this.firstError : undefined;
    return { jobName: this.name, state, error, collected, durationMs: Date.now() - started, records: this.endedRecords() };
  }
}
