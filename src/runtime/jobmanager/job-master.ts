/**
 * One job on the JobManager: its status through Flink's state machine, its attempts
 * (restarted per the restart strategy, each restored from what JobRecovery picks),
 * savepoints and stop-with-savepoint, cancel and suspend, its end (the result recorded,
 * then its checkpoints and HA data kept or deleted), and its exception history. Execution
 * is delegated to an AttemptRunner: in this process, or on TaskManagers.
 */
import type { ErrorCode } from '../../errors/index.ts';
import { randomBytes } from 'node:crypto';
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { JobPlan } from '../graph/job-plan.ts';
import type { SubtaskRecords, VertexMetrics } from '../task/task-group.ts';
import type { AttemptContext, AttemptRunner, JobResult } from './attempt-runner.ts';
import { CheckpointCoordinator } from '../checkpoint/checkpoint-coordinator.ts';
import { parseCheckpointConfig, storagePath } from '../checkpoint/checkpoint-config.ts';
import { openCheckpointStorage } from '../checkpoint/storage/open-checkpoint-storage.ts';
import { restoreSettings } from './restore-point.ts';
import { StandaloneJobHaStore } from './ha/ha-services.ts';
import type { JobHaStore } from './ha/ha-services.ts';
import type { GloballyTerminalStatus, StoredJobResult } from './ha/job-result-store.ts';
import { AsyncOperations } from './async-operations.ts';
import { exceptionEntry } from './exception-entry.ts';
import type { ExceptionEntry } from './exception-entry.ts';
import { JobRecovery } from './job-recovery.ts';
import { LocalAttempt } from './local-attempt.ts';
import { SubtaskStates } from './subtask-states.ts';
import type { SubtaskTimestamps } from './subtask-states.ts';
import type { ExecutionState } from '../task/execution-state.ts';
import { isTerminal, nextStatus } from './job-status.ts';
import type { JobStatus } from './job-status.ts';
import { EMPTY_HISTORY, decideRestart, parseRestartStrategy } from './restart-strategy.ts';
import type { RestartHistory, RestartStrategyConfig } from './restart-strategy.ts';

/** 32 hex characters, as Flink's JobID. */
export function newJobId(): string {
  return randomBytes(16).toString('hex');
}

export class JobMaster {
  readonly jobId: string;
  status: JobStatus = 'INITIALIZING';
  readonly timestamps = new Map<JobStatus, number>();
  readonly exceptions: ExceptionEntry[] = [];
  numRestarts = 0;
  /** Checkpoints triggered through REST, by request id. */
  readonly checkpointRequests = new AsyncOperations<number>();
  /** Savepoints and stop-with-savepoint requests, by request id; the result is the savepoint's location. */
  readonly savepointRequests = new AsyncOperations<string>();
  /** A stop-with-savepoint ends the attempt: its end is the job's FINISHED, not CANCELED. */
  private stopping = false;
  /** This JobManager lets go of the job (it stops or lost leadership): it ends SUSPENDED, its state kept. */
  private suspending = false;
  /** Problems that did not stop the job (a checkpoint that could not be deleted, a fallback). */
  readonly warnings: string[] = [];
  private readonly strategy: RestartStrategyConfig;
  private history: RestartHistory = EMPTY_HISTORY;
  private executor: AttemptRunner | undefined;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastResult: JobResult | undefined;
  /** The last attempt's subtask states and their times, kept while no attempt runs. */
  private lastStates: ReadonlyMap<string, readonly ExecutionState[]> | undefined;
  private lastTimestamps: ReadonlyMap<string, readonly SubtaskTimestamps[]> | undefined;
  private settle!: (result: JobResult) => void;
  readonly checkpoints: CheckpointCoordinator;
  private readonly recovery: JobRecovery;
  /** Resolves with the final result when the job reaches a terminal status. */
  readonly done: Promise<JobResult>;

  constructor(
    readonly plan: JobPlan,
    private readonly now: () => number = Date.now,
    jobId = newJobId(),
    /** Creates the runner of one attempt; by default the job runs in this process. */
    private readonly runner: (jobId: string, attempt: number, context: AttemptContext) => AttemptRunner = (id, _attempt, context) => new LocalAttempt(plan, { jobId: id, context }),
    /** Where completed checkpoints are recorded for a successor JobManager (HA); none by default. */
    private readonly ha: JobHaStore = new StandaloneJobHaStore(),
  ) {
    this.jobId = jobId;
    this.strategy = parseRestartStrategy(plan.config);
    const checkpointConfig = parseCheckpointConfig(plan.config);
    const initialRestore = restoreSettings(plan.config).path;
    this.checkpoints = new CheckpointCoordinator(
      checkpointConfig,
      openCheckpointStorage(checkpointConfig.dir, plan.config),
      jobId,
      plan.jobGraph,
      {
        send: (message, vertexId) => this.executor?.sendControl(message, vertexId),
        checkpointable: () => this.checkpointable(),
        failJob: (error) => this.executor?.fail(error),
        warn: (message) => this.warnings.push(message),
        recordCompleted: (retained, nextId) => this.ha.recordCompleted(retained.map((c) => ({ checkpointId: c.id, location: c.dir, timestamp: c.metadata.timestamp })), nextId),
        finishedSubtasks: () => [...(this.executor?.subtaskStates() ?? [])].flatMap(([vertexId, states]) => states.flatMap((s, subtask) => (s === 'FINISHED' ? [{ vertexId, subtask }] : []))),
      },
      (location) => openCheckpointStorage(location, plan.config),
    );
    this.recovery = new JobRecovery(plan, initialRestore, this.checkpoints, ha, now, {
      exception: (error) => this.recordException(error),
      warning: (message) => this.warnings.push(message),
    });
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.timestamps.set('INITIALIZING', now());
    this.moveTo('CREATED');
  }

  get name(): string {
    return this.plan.jobGraph.jobName;
  }

  /** The number of the running (or last) attempt, from 0. */
  get attemptNumber(): number {
    return Math.max(0, this.attempt - 1);
  }

  private moveTo(status: JobStatus): void {
    this.status = nextStatus(this.status, status);
    this.timestamps.set(status, this.now());
  }

  /** Runs attempts until the job finishes, fails for good or is cancelled. */
  start(): void {
    this.checkpoints.start();
    this.runAttempt();
  }

  private runAttempt(): void {
    this.moveTo('RUNNING');
    const failed = (err: unknown) => this.onAttemptEnded({ jobName: this.name, state: 'FAILED', error: err instanceof WeirError ? err : new WeirError('INTERNAL', errorMessage(err), false, { cause: err }), collected: new Map(), durationMs: 0 });
    this.recovery.restorePoint().then((restoreFrom) => {
      // Cancelled or suspended while the restore point was read: no attempt is started.
      if (this.status !== 'RUNNING' || this.suspending) return this.onAttemptEnded({ jobName: this.name, state: 'CANCELED', collected: new Map(), durationMs: 0 });
      const executor = this.runner(this.jobId, this.attempt++, {
        restoreFrom,
        storage: this.checkpoints.storage,
        checkpoints: {
          acknowledge: (ack) => this.checkpoints.acknowledge(ack),
          decline: (v, s, id, reason) => this.checkpoints.decline(v, s, id, reason),
          inputEnded: (v, s) => this.checkpoints.inputEnded(v, s),
        },
      });
      this.executor = executor;
      executor.run().then((result) => this.onAttemptEnded(result), failed);
    }, failed);
  }

  private onAttemptEnded(result: JobResult): void {
    this.checkpoints.attemptEnded();
    this.lastResult = result;
    if (this.executor) {
      this.lastStates = this.executor.subtaskStates();
      this.lastTimestamps = this.executor.subtaskTimestamps();
    }
    this.executor = undefined;
    if (this.suspending) {
      this.finish('SUSPENDED', result);
      return;
    }
    if (this.stopping && result.state === 'CANCELED') {
      this.finish('FINISHED', { ...result, state: 'FINISHED' });
      return;
    }
    if (this.status === 'CANCELLING' || result.state === 'CANCELED') {
      if (this.status === 'RUNNING') this.moveTo('CANCELLING');
      this.finish('CANCELED', result);
      return;
    }
    if (result.state === 'FINISHED') {
      this.finish('FINISHED', result);
      return;
    }
    this.moveTo('FAILING');
    this.recordException(result.error);
    // As Flink's SuppressRestartsException: what no attempt can get past is not retried.
    if (result.error && !result.error.retriable) {
      this.finish('FAILED', result);
      return;
    }
    const decision = decideRestart(this.strategy, this.history, this.now());
    this.history = decision.history;
    if (!decision.restart) {
      this.finish('FAILED', result);
      return;
    }
    this.moveTo('RESTARTING');
    this.numRestarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.status === 'RESTARTING') this.runAttempt();
    }, decision.delayMs);
  }

  private recordException(error: WeirError | undefined): void {
    this.exceptions.push(exceptionEntry(error, this.now()));
  }

  private finish(status: GloballyTerminalStatus | 'SUSPENDED', result: JobResult): void {
    this.moveTo(status);
    if (status === 'SUSPENDED') {
      this.cleanUp(status, result, Promise.resolve(false));
      return;
    }
    // As Flink's JobResultStore: the result is recorded before anything of the job goes, so a
    // JobManager that takes over after this never runs the job again. Unrecorded, nothing goes.
    const end = this.now();
    const record = { jobId: this.jobId, name: this.name, status, startTime: this.timestamps.get('INITIALIZING') ?? end, endTime: end, ...(result.error ? { failure: { code: result.error.code, message: result.error.message } } : {}) };
    const recorded = this.ha.recordResult(record).then(
      () => true,
      (err: unknown) => {
        this.warnings.push(`the job's result could not be recorded, so its checkpoints and HA data are kept: ${errorMessage(err)}`);
        return false;
      },
    );
    this.cleanUp(status, result, recorded);
  }

  /**
   * Keeps or deletes the job's checkpoints and HA data as its end requires (as Flink: HA data
   * goes when the job is over for every JobManager, except a cancelled job's whose checkpoints
   * are retained), then marks the recorded result clean; the job's result waits for all that.
   */
  private cleanUp(status: GloballyTerminalStatus | 'SUSPENDED', result: JobResult, recorded: Promise<boolean>): void {
    recorded
      .then(async (over) => {
        const kept = !over || status === 'SUSPENDED' || (status === 'CANCELED' && this.checkpoints.config.retention === 'RETAIN_ON_CANCELLATION');
        await this.checkpoints.shutdown(over ? status : 'SUSPENDED');
        if (!kept) await this.ha.discard();
        if (over) await this.ha.markResultClean();
      })
      .then(
        () => this.settle(result),
        (err: unknown) => {
          this.warnings.push(`ending the job's checkpoints or HA data failed: ${errorMessage(err)}`);
          this.settle(result);
        },
      );
  }

  /**
   * The job ended under an earlier JobManager, whose recorded result says how (Flink's
   * JobResultStore): it is reported, never run again. A dirty result's cleanup was cut
   * short, so it is done now, from the checkpoints the HA data points at.
   */
  endAsRecorded(stored: StoredJobResult): void {
    const { record } = stored;
    // Not a transition of this JobManager's: the job reached this status under another one.
    this.status = record.status;
    this.timestamps.set('INITIALIZING', record.startTime);
    this.timestamps.set(record.status, record.endTime);
    if (record.status === 'FINISHED') this.lastStates = new SubtaskStates(this.plan.jobGraph, 'FINISHED').all();
    const error = record.failure ? new WeirError(record.failure.code as ErrorCode, record.failure.message, false) : undefined;
    if (error) this.recordException(error);
    const result: JobResult = { jobName: record.name, state: record.status, ...(error ? { error } : {}), collected: new Map(), durationMs: record.endTime - record.startTime };
    this.lastResult = result;
    if (stored.clean) {
      this.settle(result);
      return;
    }
    this.cleanUp(record.status, result, this.recovery.recoverFromHa().then(() => true));
  }

  /**
   * A savepoint into `targetDir` (default `state.savepoints.dir`); then, as asked, the job
   * goes on, is cancelled, or stops (Flink's stop-with-savepoint: it ends FINISHED).
   * Resolves with the savepoint's directory.
   */
  savepoint(targetDir: string | undefined, then: 'continue' | 'cancel' | 'stop' | 'drain' = 'continue'): Promise<string> {
    const dir = targetDir ?? this.checkpoints.config.savepointDir;
    if (dir === undefined) throw new WeirError('INVALID_ARGUMENTS', 'no directory for the savepoint: give a target directory, or set state.savepoints.dir', false);
    if (this.status !== 'RUNNING') throw new WeirError('CHECKPOINT_DECLINED', `job ${this.jobId} is ${this.status}: savepoints are taken of running jobs`, false);
    return this.savepointThen(storagePath('target directory', dir), then);
  }

  private async savepointThen(dir: string, then: 'continue' | 'cancel' | 'stop' | 'drain'): Promise<string> {
    const stop = then === 'stop' || then === 'drain';
    // As Flink's stop: sources read no more, so nothing is processed after the savepoint.
    const sources = this.checkpoints.sourceVertices;
    if (stop) for (const v of sources) this.executor?.sendControl({ kind: 'suspendSource', drain: then === 'drain' }, v);
    let done;
    try {
      done = await this.checkpoints.trigger({ savepointDir: dir, stop });
    } catch (err) {
      if (then === 'stop') for (const v of sources) this.executor?.sendControl({ kind: 'resumeSource' }, v);
      // After the final watermark the job cannot go on as if nothing happened: it fails over.
      if (then === 'drain') this.executor?.fail(new WeirError('CHECKPOINT_DECLINED', `stop with drain failed, so the job restarts from its latest checkpoint: ${errorMessage(err)}`, true, { cause: err }));
      throw err;
    }
    if (stop && this.status === 'RUNNING' && this.executor) {
      this.stopping = true;
      this.executor.cancel();
    } else if (then === 'cancel') {
      this.cancel();
    }
    return done.dir;
  }

  /**
   * This JobManager lets go of the job without ending it (it is stopping, or lost
   * leadership): the tasks are cancelled and the job ends SUSPENDED, with its checkpoints and
   * HA data kept for the JobManager that resumes it.
   */
  suspend(): void {
    if (isTerminal(this.status) || this.suspending) return;
    this.suspending = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.executor) this.executor.cancel();
    else if (this.status !== 'RUNNING') this.finish('SUSPENDED', this.lastResult ?? { jobName: this.name, state: 'CANCELED', collected: new Map(), durationMs: 0 });
  }

  /** Flink's cancel: a running job goes through CANCELLING to CANCELED. */
  cancel(): void {
    if (this.status === 'RUNNING' || this.status === 'RESTARTING' || this.status === 'CREATED') {
      const waiting = this.status === 'RESTARTING' || this.status === 'CREATED';
      this.moveTo('CANCELLING');
      if (this.restartTimer) clearTimeout(this.restartTimer);
      if (this.executor) this.executor.cancel();
      else if (waiting) this.finish('CANCELED', this.lastResult ?? { jobName: this.name, state: 'CANCELED', collected: new Map(), durationMs: 0 });
      return;
    }
    throw new WeirError('JOB_NOT_CANCELLABLE', `job ${this.jobId} is ${this.status} and cannot be cancelled`, false);
  }

  /** Each subtask's state, by vertex id: the running attempt's, else the last one's, else CREATED. */
  subtaskStates(): ReadonlyMap<string, readonly ExecutionState[]> {
    return this.executor?.subtaskStates() ?? this.lastStates ?? new SubtaskStates(this.plan.jobGraph).all();
  }

  /** When each subtask was deployed and entered its state (none before the first attempt). */
  subtaskTimestamps(): ReadonlyMap<string, readonly SubtaskTimestamps[]> {
    return this.executor?.subtaskTimestamps() ?? this.lastTimestamps ?? new Map();
  }

  /** Whether every subtask of the job runs (what a checkpoint, and a STABLE deployment, need). */
  allTasksRunning(): boolean {
    return this.status === 'RUNNING' && [...this.subtaskStates().values()].every((list) => list.every((s) => s === 'RUNNING'));
  }

  /** As Flink since 1.15: tasks that finished take part in checkpoints (with no state); at least one task must run. */
  checkpointable(): boolean {
    if (this.status !== 'RUNNING') return false;
    const states = [...this.subtaskStates().values()].flat();
    return states.every((s) => s === 'RUNNING' || s === 'FINISHED') && states.some((s) => s === 'RUNNING');
  }

  vertexMetrics(): VertexMetrics[] {
    return this.executor?.vertexMetrics() ?? [];
  }

  /**
   * Final record counts of subtasks that ended: while an attempt runs, those of its
   * parts that already ended; otherwise the last attempt's, so a finished job keeps
   * its counts after its tasks (and their metrics) are gone.
   */
  endedRecords(): readonly SubtaskRecords[] {
    if (this.executor) return this.executor.endedRecords();
    return this.lastResult?.records ?? [];
  }
}
