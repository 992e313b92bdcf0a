/**
 * The JobManager's CheckpointCoordinator: triggers checkpoints at the sources (periodically,
 * on request, or as savepoints), collects every subtask's acknowledgement, completes a
 * checkpoint by writing its `_metadata` last, tells the tasks it completed or was aborted,
 * keeps `state.checkpoints.num-retained` of them, and fails the job over when more
 * checkpoints fail in a row than it tolerates. When to trigger is decided by trigger-rules.ts.
 */
import { randomBytes } from 'node:crypto';
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import type { CheckpointConfig } from './checkpoint-config.ts';
import type { CheckpointMetadata } from './checkpoint-metadata.ts';
import { CheckpointStats } from './checkpoint-stats.ts';
import { SharedStateRegistry } from './incremental/shared-state-registry.ts';
import type { CheckpointStatsEntry } from './checkpoint-stats.ts';
import type { CheckpointStorage } from './storage/checkpoint-storage.ts';
import { copyAcross, sameStorage } from './storage/open-checkpoint-storage.ts';
import { childLocation } from './storage/storage-location.ts';
import type { SubtaskCheckpointAck } from './subtask-snapshot-writer.ts';
import { decideTrigger } from './trigger-rules.ts';
import { FinalCheckpointTracker, finishedAck, subtaskKey } from './final-checkpoint.ts';

export interface CompletedCheckpoint {
  readonly id: number;
  /** The directory holding `_metadata` and the state files. */
  readonly dir: string;
  readonly savepoint: boolean;
  readonly metadata: CheckpointMetadata;
}

export interface CoordinatorHooks {
  /** Delivers a control message to the running attempt's tasks (of one vertex, when given). */
  send(message: ControlMessage, vertexId?: string): void;
  /** Whether a checkpoint can be taken: every task of the running attempt runs or has finished, and one runs. */
  checkpointable(): boolean;
  /** More checkpoints failed in a row than tolerated: the job fails over. */
  failJob(error: WeirError): void;
  /** Something went wrong that does not stop the job (a checkpoint that could not be deleted). */
  warn(message: string): void;
  /**
   * Records a completed checkpoint where a successor JobManager finds it (HA), before the
   * tasks learn it completed: `retained` are the checkpoints kept after it, oldest first. A
   * rejection fails the checkpoint.
   */
  recordCompleted?(retained: readonly CompletedCheckpoint[], nextCheckpointId: number): Promise<void>;
  /** The running attempt's subtasks that finished: they answer no trigger, the coordinator answers for them. */
  finishedSubtasks?(): readonly { vertexId: string; subtask: number }[];
}

interface Pending {
  readonly id: number;
  readonly savepointDir: string | undefined;
  /** Whether the tasks hear of its completion: checkpoints, and the savepoint of a stop. */
  readonly notify: boolean;
  readonly acks: Map<string, SubtaskCheckpointAck>;
  /** Subtasks that acknowledged after their input ended (FLIP-147): its completion lets them finish. */
  readonly afterEnd: Set<string>;
  readonly stats: CheckpointStatsEntry;
  readonly timer: NodeJS.Timeout;
  readonly settle: { resolve(c: CompletedCheckpoint): void; reject(e: WeirError): void };
}

export class CheckpointCoordinator {
  readonly stats = new CheckpointStats();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly cleanups = new Set<Promise<void>>();
  private readonly completed: CompletedCheckpoint[] = [];
  /** How many retained checkpoints reference each file in `shared/` (incremental checkpoints). */
  private readonly shared = new SharedStateRegistry();
  private readonly expected: number;
  private readonly finals: FinalCheckpointTracker;
  /** Vertices without inputs: where barriers start, and what a stop suspends. */
  readonly sourceVertices: readonly string[];
  private consecutiveFailures = 0;
  private lastTriggeredAt: number | undefined;
  private lastEndedAt: number | undefined;
  private runningSince: number | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    readonly config: CheckpointConfig,
    readonly storage: CheckpointStorage,
    readonly jobId: string,
    private readonly graph: JobGraph,
    private readonly hooks: CoordinatorHooks,
    /** Opens the storage of a savepoint target that `storage` does not hold (another scheme). */
    private readonly openStorage: (location: string) => CheckpointStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.expected = graph.vertices.reduce((n, v) => n + v.parallelism, 0);
    this.finals = new FinalCheckpointTracker(this.expected);
    const targets = new Set(graph.edges.map((e) => e.target));
    this.sourceVertices = graph.vertices.filter((v) => !targets.has(v.id)).map((v) => v.id);
  }

  get periodic(): boolean {
    return this.config.intervalMs !== undefined;
  }

  /** Starts periodic checkpoints (when an interval is set): they begin once every task runs. */
  start(): void {
    if (!this.periodic || this.ticker) return;
    const tickMs = Math.min(200, Math.max(10, Math.floor(this.config.intervalMs! / 10)));
    this.ticker = setInterval(() => this.tick(), tickMs);
  }

  private tick(): void {
    const now = this.now();
    // A subtask that finished after a trigger reached its task group cannot answer any more.
    this.answerForFinished();
    if (!this.hooks.checkpointable()) {
      this.runningSince = undefined;
      return;
    }
    this.runningSince ??= now;
    const decision = decideTrigger({
      now,
      intervalMs: this.config.intervalMs!,
      minPauseMs: this.config.minPauseMs,
      maxConcurrent: this.config.maxConcurrent,
      pending: [...this.pending.values()].filter((p) => p.savepointDir === undefined).length,
      lastTriggeredAt: this.lastTriggeredAt,
      lastEndedAt: this.lastEndedAt,
      runningSince: this.runningSince,
    });
    if (!decision.trigger) return;
    this.lastTriggeredAt = now;
    // A periodic checkpoint's failure is counted and reported through the hooks.
    this.trigger().catch(() => undefined);
  }

  /**
   * Triggers a checkpoint now, or a savepoint into `savepointDir`; resolves when it
   * completed. As in Flink, the tasks are told a savepoint completed only when the job stops
   * with it (`stop`): a sink that committed on any other savepoint would commit records a
   * failover to the latest checkpoint writes again.
   */
  trigger(options: { savepointDir?: string; stop?: boolean } = {}): Promise<CompletedCheckpoint> {
    if (!this.hooks.checkpointable()) {
      return Promise.reject(new WeirError('CHECKPOINT_DECLINED', 'the job is not running (its tasks are being deployed, restarted or stopped), so no checkpoint can be taken now; try again once it runs', true));
    }
    const id = this.nextId++;
    const savepoint = options.savepointDir !== undefined;
    return new Promise<CompletedCheckpoint>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, new WeirError('CHECKPOINT_EXPIRED', `checkpoint ${id} expired before completing (execution.checkpointing.timeout: ${this.config.timeoutMs}ms)`, true), true), this.config.timeoutMs);
      const stats = this.stats.started(id, savepoint, this.now(), this.expected);
      this.pending.set(id, { id, savepointDir: options.savepointDir, notify: !savepoint || options.stop === true, acks: new Map(), afterEnd: new Set(), stats, timer, settle: { resolve, reject } });
      const barrier = { kind: 'barrier' as const, checkpointId: id, timestamp: this.now(), mode: this.config.mode, savepoint };
      // Sources start it; the others wait for its barrier, unless their input ended (see StreamTask).
      this.hooks.send({ kind: 'triggerCheckpoint', barrier });
      this.answerForFinished();
    });
  }

  /** Acknowledges, for subtasks that finished, the checkpoints in progress they have not answered. */
  private answerForFinished(): void {
    if (this.pending.size === 0) return;
    for (const { vertexId, subtask } of this.hooks.finishedSubtasks?.() ?? []) {
      for (const p of this.pending.values()) {
        if (p.acks.has(subtaskKey(vertexId, subtask))) continue;
        const ack = finishedAck(this.graph, vertexId, subtask, p.id);
        if (ack) this.acknowledge(ack);
      }
    }
  }

  /** A subtask's input ended and it waits for a checkpoint to finish; when all did, one is taken now. */
  inputEnded(vertexId: string, subtask: number): void {
    this.finals.inputEnded(vertexId, subtask);
    this.maybeTakeFinalCheckpoint();
  }

  private maybeTakeFinalCheckpoint(): void {
    const inProgress = [...this.pending.values()].filter((p) => p.savepointDir === undefined).length;
    if (!this.finals.wantsCheckpoint(inProgress) || !this.hooks.checkpointable()) return;
    this.lastTriggeredAt = this.now();
    // Its failure is counted and reported through the hooks; the periodic trigger tries again.
    this.trigger().catch(() => undefined);
  }

  acknowledge(ack: SubtaskCheckpointAck): void {
    const p = this.pending.get(ack.checkpointId);
    // A late acknowledgement of an aborted checkpoint: its directory is already gone or going, its new shared files go now.
    if (!p) {
      this.inBackground(this.deleteShared(this.shared.writtenFor(ack.checkpointId, ack.handle.shared ?? [])));
      return;
    }
    const key = subtaskKey(ack.handle.vertexId, ack.handle.subtask);
    if (p.acks.has(key)) return;
    p.acks.set(key, ack);
    if (this.finals.isAfterEnd(ack)) p.afterEnd.add(key);
    this.stats.acknowledged(p.stats, ack, this.now());
    if (p.acks.size === this.expected) this.inBackground(this.complete(p));
  }

  decline(vertexId: string, subtask: number, checkpointId: number, reason: string): void {
    this.fail(checkpointId, new WeirError('CHECKPOINT_DECLINED', `checkpoint ${checkpointId} was declined by subtask ${subtask} of vertex ${vertexId}: ${reason}`, true), true);
  }

  private async complete(p: Pending): Promise<void> {
    clearTimeout(p.timer);
    const chkDir = this.storage.checkpointDir(this.jobId, p.id);
    const handles = [...p.acks.values()].map((a) => a.handle).sort((a, b) => a.vertexId.localeCompare(b.vertexId) || a.subtask - b.subtask);
    const metadata: CheckpointMetadata = { jobId: this.jobId, checkpointId: p.id, timestamp: p.stats.triggerTimestamp, savepoint: p.savepointDir !== undefined, subtasks: handles };
    let dir = chkDir;
    const missing = this.shared.missing(metadata);
    if (missing.length > 0) {
      // Not counted: the subtasks build on the newer checkpoint once they hear it completed.
      const names = missing.map((r) => r.name).join(', ');
      this.fail(p.id, new WeirError('CHECKPOINT_DECLINED', `checkpoint ${p.id} references shared state no retained checkpoint keeps (${names}): a subtask built on a subsumed checkpoint`, true), false);
      return;
    }
    try {
      if (p.savepointDir !== undefined) {
        dir = childLocation(p.savepointDir, `savepoint-${this.jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`);
        await this.writeSavepoint(chkDir, dir, handles.flatMap((h) => (h.file === undefined ? [] : [h.file])), metadata);
      } else {
        await this.storage.writeMetadata(dir, metadata);
      }
    } catch (err) {
      this.fail(p.id, err instanceof WeirError ? err : new WeirError('CHECKPOINT_STORAGE_FAILED', errorMessage(err), true), true);
      return;
    }
    const done: CompletedCheckpoint = { id: p.id, dir, savepoint: p.savepointDir !== undefined, metadata };
    if (!this.pending.has(p.id)) return;
    try {
      await this.hooks.recordCompleted?.(done.savepoint ? [...this.completed] : [...this.completed, done].slice(-this.config.numRetained), this.nextId);
    } catch (err) {
      this.fail(p.id, err instanceof WeirError ? err : new WeirError('CHECKPOINT_STORAGE_FAILED', errorMessage(err), true), true);
      return;
    }
    if (!this.pending.delete(p.id)) return;
    this.lastEndedAt = this.now();
    this.consecutiveFailures = 0;
    this.stats.succeeded(p.stats, this.now(), dir);
    if (p.notify) {
      this.finals.completed(p.afterEnd);
      this.hooks.send({ kind: 'checkpointComplete', checkpointId: p.id });
    }
    if (done.savepoint) {
      await this.discard(chkDir);
    } else {
      this.completed.push(done);
      this.shared.register(metadata);
      while (this.completed.length > this.config.numRetained) {
        const subsumed = this.completed.shift()!;
        await this.discard(subsumed.dir);
        await this.deleteShared(this.shared.release(subsumed.metadata));
      }
    }
    p.settle.resolve(done);
    // Subtasks that ended after this checkpoint's snapshot still wait for one.
    this.maybeTakeFinalCheckpoint();
  }

  /** A savepoint holds copies of its state files beside its own `_metadata`, written last. */
  private async writeSavepoint(chkDir: string, dir: string, files: readonly string[], metadata: CheckpointMetadata): Promise<void> {
    if (sameStorage(this.storage, dir)) {
      await this.storage.copyStateFiles(chkDir, dir, files);
      await this.storage.writeMetadata(dir, metadata);
      return;
    }
    const target = this.openStorage(dir);
    try {
      await copyAcross(this.storage, chkDir, target, dir, files);
      await target.writeMetadata(dir, metadata);
    } finally {
      target.close();
    }
  }

  private fail(id: number, error: WeirError, counts: boolean): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    this.lastEndedAt = this.now();
    this.stats.failedWith(p.stats, this.now(), error.message);
    this.hooks.send({ kind: 'checkpointAborted', checkpointId: id });
    this.inBackground(this.discard(this.storage.checkpointDir(this.jobId, id)));
    this.inBackground(this.deleteShared(this.shared.writtenFor(id, [...p.acks.values()].flatMap((a) => a.handle.shared ?? []))));
    p.settle.reject(error);
    if (!counts || p.savepointDir !== undefined) return;
    this.consecutiveFailures++;
    if (this.consecutiveFailures > this.config.tolerableFailures) {
      this.consecutiveFailures = 0;
      this.hooks.failJob(
        new WeirError('CHECKPOINT_FAILURES_EXCEEDED', `${this.config.tolerableFailures + 1} checkpoint(s) failed in a row, more than execution.checkpointing.tolerable-failed-checkpoints (${this.config.tolerableFailures}) allows; the last: ${error.message}`, true, { cause: error }),
      );
    }
  }

  private async discard(dir: string): Promise<void> {
    try {
      await this.storage.discard(dir);
    } catch (err) {
      this.hooks.warn(`could not delete ${dir}: ${errorMessage(err)}`);
    }
  }

  /** Deletes shared files no retained checkpoint references; a failure leaves them and warns. */
  /** Completions and deletions run on while the job does; shutdown waits for them. */
  private inBackground(work: Promise<void>): void {
    this.cleanups.add(work);
    work.then(
      () => this.cleanups.delete(work),
      (err: unknown) => {
        this.cleanups.delete(work);
        this.hooks.warn(`checkpoint bookkeeping failed: ${errorMessage(err)}`);
      },
    );
  }

  private async deleteShared(names: readonly string[]): Promise<void> {
    for (const name of names) {
      try {
        await this.storage.deleteSharedFile(this.jobId, name);
      } catch (err) {
        this.hooks.warn(`could not delete shared state ${name}: ${errorMessage(err)}`);
      }
    }
  }

  /** The attempt's tasks are gone: checkpoints in progress cannot complete (not counted as failures). */
  attemptEnded(): void {
    this.runningSince = undefined;
    this.finals.reset();
    for (const id of [...this.pending.keys()]) this.fail(id, new WeirError('CHECKPOINT_DECLINED', `checkpoint ${id} was aborted: the job's tasks stopped`, true), false);
  }

  /** Checkpoints a previous JobManager completed (oldest first), and the id to go on from. */
  recover(checkpoints: readonly CompletedCheckpoint[], nextId: number): void {
    this.completed.splice(0, this.completed.length, ...checkpoints);
    this.nextId = Math.max(this.nextId, nextId);
    this.shared.rebuild(checkpoints.map((c) => c.metadata));
  }

  /**
   * Deletes files in `shared/` that no retained checkpoint references and that a checkpoint
   * before this JobManager wrote (one that died mid-checkpoint leaves them); files of
   * checkpoints from here on are never touched. Resolves to the names deleted.
   */
  async discardOrphanedSharedState(): Promise<string[]> {
    const orphans = this.shared.orphans(await this.storage.listFiles(this.storage.sharedDir(this.jobId)), this.nextId);
    await this.deleteShared(orphans);
    return orphans;
  }

  /** Completed checkpoints to recover from, newest first. */
  recoveryCandidates(): readonly CompletedCheckpoint[] {
    return [...this.completed].reverse();
  }

  /** A retained checkpoint that turned out unreadable: recovery falls back to an older one. */
  forget(id: number): void {
    const i = this.completed.findIndex((c) => c.id === id);
    // Its shared files stay: recovery decides which checkpoints are retained, and the orphan sweep after it cleans up.
    if (i !== -1) this.shared.release(this.completed.splice(i, 1)[0]!.metadata);
  }

  /**
   * Ends the coordinator with its job: a finished job's checkpoints, and a cancelled one's
   * unless retained, are deleted; a suspended job's are kept for the JobManager that resumes it.
   */
  async shutdown(jobStatus: 'FINISHED' | 'FAILED' | 'CANCELED' | 'SUSPENDED'): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    for (const id of [...this.pending.keys()]) this.fail(id, new WeirError('CHECKPOINT_DECLINED', `checkpoint ${id} was aborted: the job is ${jobStatus}`, true), false);
    await Promise.all([...this.cleanups]);
    const keep = jobStatus === 'FAILED' || jobStatus === 'SUSPENDED' || (jobStatus === 'CANCELED' && this.config.retention === 'RETAIN_ON_CANCELLATION');
    if (!keep) {
      this.completed.length = 0;
      await this.discard(this.storage.jobDir(this.jobId));
    }
    this.storage.close();
  }
}
