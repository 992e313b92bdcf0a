/**
 * A group of subtasks that share one thread and one scheduling loop: every subtask of a
 * job under `weir run`, or one slot's share of an attempt on a TaskManager. It builds the
 * tasks (task-group-builder.ts), restores and opens them, drives them until they end, and
 * is how the outside reaches them: control messages (checkpoint triggers, notifications,
 * cancellation) go to the tasks' inboxes; task states and checkpoint answers come back.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { SubtaskRestore, SubtaskSnapshot } from '../checkpoint/subtask-state.ts';
import { IncrementalUploader } from '../checkpoint/incremental/incremental-uploader.ts';
import { deltaPolicy } from '../checkpoint/incremental/delta-config.ts';
import type { LocalStateCopies } from '../checkpoint/incremental/local-state-copies.ts';
import { writeSubtaskSnapshot } from '../checkpoint/subtask-snapshot-writer.ts';
import type { SubtaskCheckpointAck } from '../checkpoint/subtask-snapshot-writer.ts';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.ts';
import type { JobPlan } from '../graph/job-plan.ts';
import { localChannels } from '../network/channel-factory.ts';
import type { ChannelFactory } from '../network/channel-factory.ts';
import { SinkOperator } from '../operators/sink-operator.ts';
import { ExecutorMetrics } from '../metrics/executor-metrics.ts';
import type { TaskMetricsOptions } from '../metrics/executor-metrics.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import { parseCheckpointConfig } from '../checkpoint/checkpoint-config.ts';
import { incrementalCheckpoints } from '../state/state-backend-factory.ts';
import type { Clock } from './clock.ts';
import { SystemClock } from './clock.ts';
import type { ControlMessage } from './control-inbox.ts';
import type { ExecutionState } from './execution-state.ts';
import type { StreamTask, TaskEvents } from './stream-task.ts';
import { buildTasks } from './task-group-builder.ts';
import { runTasks } from './task-loop.ts';
import { WakeSignal } from './wake-signal.ts';

/** How the group's part of an attempt ended. */
export interface TaskGroupResult {
  readonly state: 'FINISHED' | 'FAILED' | 'CANCELED';
  readonly error?: WeirError;
  /** What collect() sinks received, by name. */
  readonly collected: ReadonlyMap<string, unknown[]>;
  readonly durationMs: number;
  /** Final record counts of the subtasks that ran, so they outlive the tasks' metrics. */
  readonly records?: readonly SubtaskRecords[];
}

/** Records one subtask read and wrote (Flink's numRecordsIn/numRecordsOut of the task). */
export interface SubtaskRecords {
  readonly vertexId: string;
  readonly subtask: number;
  readonly in: number;
  readonly out: number;
}

export interface VertexMetrics {
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Lowest input watermark over the vertex's subtasks. */
  readonly watermark: number;
}

/** What the group reports about its tasks. */
export interface TaskGroupListener {
  taskStateChanged?(vertexId: string, subtask: number, state: ExecutionState): void;
  /** A subtask's state is stored and its checkpoint acknowledged. */
  checkpointAcknowledged?(ack: SubtaskCheckpointAck): void;
  checkpointDeclined?(vertexId: string, subtask: number, checkpointId: number, reason: string): void;
  /** A subtask's input ended and its operators finished: it waits for a final checkpoint. */
  inputEnded?(vertexId: string, subtask: number): void;
}

export interface TaskGroupOptions {
  clock?: Clock;
  /** Records per batch between operators (default 1024). */
  batchSize?: number;
  /** Buffers per channel before the producer is backpressured (default 4). */
  channelCapacity?: number;
  /** Where channels between subtasks come from (default: in-process queues). */
  channels?: ChannelFactory;
  /**
   * Prometheus metrics with Flink's names and labels (src/runtime/metrics): `true` creates
   * a registry (`metricRegistry`); options can pass a shared one and the labels.
   */
  metrics?: boolean | TaskMetricsOptions;
  /** The state each subtask restores from (undefined: a fresh start). */
  restore?: (vertexId: string, subtask: number) => Promise<SubtaskRestore | undefined> | SubtaskRestore | undefined;
  /** Where the tasks' checkpoint state goes; without it, checkpoints are declined. */
  checkpointStorage?: { storage: CheckpointStorage; jobId: string };
  /** With local recovery: where this TaskManager keeps copies of the shared files its subtasks upload. */
  localState?: LocalStateCopies;
  listener?: TaskGroupListener;
}

export class TaskGroup {
  readonly tasks: StreamTask[];
  readonly clock: Clock;
  /** Set when the metrics option is on; the task loop reports task states to it. */
  readonly taskMetrics: ExecutorMetrics | undefined;
  readonly channels: ChannelFactory;
  private readonly collected = new Map<string, unknown[]>();
  private cancelled = false;
  /** Why the group was failed from outside (too many failed checkpoints), if it was. */
  private failure: WeirError | undefined;
  private readonly wakeSignal = new WakeSignal();
  /** Operator id -> `.uid()`, for checkpoint metadata. */
  private readonly operatorUids: Map<string, string | undefined>;
  /** Per subtask (`vertex/subtask`), with `state.backend.incremental`: what its last completed checkpoint uploaded. */
  private readonly uploaders: Map<string, IncrementalUploader> | undefined;
  /** Asynchronous checkpoint parts in progress (they never reject): the group ends after them. */
  private readonly storing = new Set<Promise<void>>();
  /** The task whose failure ended the group, once one failed. */
  failedTask: StreamTask | undefined;

  constructor(
    readonly plan: JobPlan,
    private readonly options: TaskGroupOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.operatorUids = new Map(plan.jobGraph.vertices.flatMap((v) => v.operators.map((o) => [o.id, o.uid] as const)));
    this.channels = options.channels ?? localChannels;
    this.uploaders = incrementalCheckpoints(plan.config) ? new Map() : undefined;
    const m = options.metrics;
    this.taskMetrics = m ? new ExecutorMetrics(plan.jobGraph.jobName, this.clock, m === true ? {} : m) : undefined;
    const listener = options.listener;
    const events: TaskEvents = {
      stateChanged: (t, state) => listener?.taskStateChanged?.(t.vertexId, t.subtaskIndex, state),
      checkpointAcknowledged: (t, snapshot) => this.store(t, snapshot),
      checkpointDeclined: (t, id, reason) => listener?.checkpointDeclined?.(t.vertexId, t.subtaskIndex, id, reason),
      inputEnded: (t) => listener?.inputEnded?.(t.vertexId, t.subtaskIndex),
    };
    this.tasks = buildTasks({
      plan,
      clock: this.clock,
      channels: this.channels,
      batchSize: options.batchSize ?? 1024,
      capacity: options.channelCapacity ?? 4,
      metrics: this.taskMetrics,
      wake: this.wake,
      events,
      // Without storage every checkpoint is declined: a task waiting for one would wait forever.
      finalCheckpoint: parseCheckpointConfig(plan.config).intervalMs !== undefined && options.checkpointStorage !== undefined,
      addToResult: (name, values) => this.addToResult(name, values),
    });
  }

  get metricRegistry(): MetricRegistry | undefined {
    return this.taskMetrics?.registry;
  }

  private readonly wake = this.wakeSignal.wake;

  /** A promise that settles at the next wake() call, at once if one came since the last wait (wake-signal.ts). */
  nextWake(): Promise<void> {
    return this.wakeSignal.next();
  }

  /** The asynchronous part of a task's checkpoint: processing goes on while its state is written. */
  private store(t: StreamTask, snapshot: SubtaskSnapshot): void {
    const listener = this.options.listener;
    const target = this.options.checkpointStorage;
    if (!target) {
      for (const state of snapshot.operators.values()) state.keyed?.discard();
      listener?.checkpointDeclined?.(t.vertexId, t.subtaskIndex, snapshot.checkpointId, 'this task group has no checkpoint storage');
      return;
    }
    const dir = target.storage.checkpointDir(target.jobId, snapshot.checkpointId);
    const stored = writeSubtaskSnapshot(target.storage, dir, snapshot, (id) => this.operatorUids.get(id), this.incrementalTarget(t, target.jobId)).then(
      (ack) => listener?.checkpointAcknowledged?.(ack),
      (err: unknown) => listener?.checkpointDeclined?.(t.vertexId, t.subtaskIndex, snapshot.checkpointId, `storing the state of ${t.name} failed: ${errorMessage(err)}`),
    );
    this.storing.add(stored);
    void stored.then(() => this.storing.delete(stored));
  }

  private uploaderOf(t: StreamTask): IncrementalUploader | undefined {
    if (!this.uploaders) return undefined;
    const key = `${t.vertexId}/${t.subtaskIndex}`;
    let uploader = this.uploaders.get(key);
    if (!uploader) this.uploaders.set(key, (uploader = new IncrementalUploader(t.vertexId, t.subtaskIndex, this.options.localState, deltaPolicy(this.plan.config))));
    return uploader;
  }

  private incrementalTarget(t: StreamTask, jobId: string) {
    const uploader = this.uploaderOf(t);
    return uploader ? { uploader, jobId } : undefined;
  }

  private addToResult(name: string, values: readonly unknown[]): void {
    let list = this.collected.get(name);
    if (!list) this.collected.set(name, (list = []));
    for (const v of values) list.push(v);
  }

  /** Delivers a control message to the inbox of every task (of one vertex, or those `to` picks). */
  post(message: ControlMessage, to: (task: StreamTask) => boolean = () => true): void {
    for (const t of this.tasks) {
      if (!to(t)) continue;
      t.inbox.post(message);
      const uploader = this.uploaders?.get(`${t.vertexId}/${t.subtaskIndex}`);
      if (message.kind === 'checkpointComplete') uploader?.completed(message.checkpointId);
      if (message.kind === 'checkpointAborted') uploader?.aborted(message.checkpointId);
    }
  }

  /** Stops the job: every task gets a cancel message; run() then resolves with CANCELED. */
  cancel(): void {
    this.cancelled = true;
    this.post({ kind: 'cancel' });
    this.wake();
  }

  /** Stops the job as failed with `error`: run() then resolves with FAILED. */
  fail(error: WeirError): void {
    this.failure ??= error;
    this.cancel();
  }

  isCancelled(): boolean {
    return this.cancelled;
  }

  /** Each local subtask's state. */
  subtaskStates(): { vertexId: string; subtask: number; state: ExecutionState }[] {
    return this.tasks.map((t) => ({ vertexId: t.vertexId, subtask: t.subtaskIndex, state: t.state }));
  }

  metrics(): VertexMetrics[] {
    return this.plan.jobGraph.vertices.map((v) => {
      const tasks = this.tasks.filter((t) => t.vertexId === v.id);
      let recordsIn = 0;
      let recordsOut = 0;
      let watermark = Infinity;
      for (const t of tasks) {
        recordsIn += recordsInOf(t);
        recordsOut += recordsOutOf(t);
        watermark = Math.min(watermark, t.source ? -Infinity : t.inputWatermark);
      }
      return { name: v.name, recordsIn, recordsOut, watermark };
    });
  }

  /** Records in and out of each subtask in this group (the task metrics' counts). */
  subtaskRecords(): SubtaskRecords[] {
    return this.tasks.map((t) => ({ vertexId: t.vertexId, subtask: t.subtaskIndex, in: recordsInOf(t), out: recordsOutOf(t) }));
  }

  async run(): Promise<TaskGroupResult> {
    this.taskMetrics?.started();
    const result = await this.execute();
    this.taskMetrics?.ended(result.state);
    return result;
  }

  /** Waits until every output channel can send (or the job is cancelled meanwhile). */
  private async untilConnected(): Promise<void> {
    const connected = this.channels.connected?.();
    if (!connected) return;
    let done = false;
    const settled = connected.then(() => {
      done = true;
    });
    while (!done && !this.cancelled) await Promise.race([settled, this.nextWake()]);
  }

  private async execute(): Promise<TaskGroupResult> {
    const started = Date.now();
    const result = (state: TaskGroupResult['state'], error?: WeirError): TaskGroupResult => ({ state, error, collected: this.collected, durationMs: Date.now() - started, records: this.subtaskRecords() });
    try {
      // Connected before opening: a paced source counts its rate from open, and must not
      // owe a burst for the time the rest of the job took to deploy.
      await this.untilConnected();
      for (const t of this.tasks) {
        if (this.cancelled) break;
        this.failedTask = t;
        const restore = await this.options.restore?.(t.vertexId, t.subtaskIndex);
        const jobId = this.options.checkpointStorage?.jobId;
        if (restore && jobId !== undefined) this.uploaderOf(t)?.seed(jobId, restore);
        await t.initialize(restore);
      }
      this.failedTask = undefined;
      await runTasks(this);
      // A checkpoint taken just before the end is still being written (and copied locally);
      // a cancel does not wait for it.
      if (!this.cancelled) await Promise.all([...this.storing]);
      const jobId = this.options.checkpointStorage?.jobId;
      // Finished tasks restore from nothing again: their local copies go (a cancelled attempt's stay for the restart).
      if (!this.cancelled && !this.failure && jobId !== undefined) for (const t of this.tasks) await this.uploaderOf(t)?.keepLocalCopies(jobId);
    } catch (err) {
      const error = err instanceof WeirError ? err : new WeirError('INTERNAL', errorMessage(err), true, { cause: err });
      const closeError = await this.failedTask?.fail();
      if (closeError !== undefined) addSuppressed(error, closeError);
      for (const t of this.tasks) {
        if (t.done) continue;
        await t.cancel().catch((cancelError: unknown) => addSuppressed(error, cancelError));
      }
      return result('FAILED', error);
    }
    if (this.failure) return result('FAILED', this.failure);
    return result(this.cancelled ? 'CANCELED' : 'FINISHED');
  }
}

/** The failure stays the cause; what went wrong while cleaning up after it is told, not lost. */
function addSuppressed(error: WeirError, suppressed: unknown): void {
  error.message = `${error.message} (closing the tasks afterwards also failed: ${errorMessage(suppressed)})`;
}

/** A source task counts what its source read; others what arrived on their inputs. */
function recordsInOf(t: StreamTask): number {
  return t.source ? t.source.recordsOut : t.recordsIn;
}

/** A sink task counts what its sink wrote; others what their record writers sent. */
function recordsOutOf(t: StreamTask): number {
  const sink = t.operators[t.operators.length - 1];
  return sink instanceof SinkOperator ? sink.recordsWritten : t.writers.reduce((n, w) => n + w.recordsOut, 0);
}
