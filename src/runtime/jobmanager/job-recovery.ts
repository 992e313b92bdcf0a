/**
 * Where each attempt of a job restores from: the newest retained checkpoint that can be
 * read, else the savepoint the job started from (`execution.savepoint.path`), else none.
 * Before the first attempt it takes over the checkpoints a previous leader recorded for high
 * availability, and its checkpoint counter.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { JobPlan } from '../graph/job-plan.ts';
import type { CheckpointCoordinator, CompletedCheckpoint } from '../checkpoint/checkpoint-coordinator.ts';
import { checkRestorable } from '../checkpoint/checkpoint-restore.ts';
import { storageHolding } from '../checkpoint/storage/open-checkpoint-storage.ts';
import type { JobHaStore } from './ha/ha-services.ts';
import { restoreSettings } from './restore-point.ts';

/** Where recovery tells of what it had to pass over. */
export interface RecoveryReports {
  /** A checkpoint that cannot be read: it goes to the exception history. */
  exception(error: WeirError): void;
  /** A problem that does not stop the job. */
  warning(message: string): void;
}

export class JobRecovery {
  /** Whether the checkpoints a previous leader recorded were read (once, before the first attempt). */
  private haRecovered = false;

  constructor(
    private readonly plan: JobPlan,
    /** Where the first attempt restores from (`execution.savepoint.path`), and later ones when no checkpoint completed. */
    private readonly initialRestore: string | undefined,
    private readonly checkpoints: CheckpointCoordinator,
    private readonly ha: JobHaStore,
    private readonly now: () => number,
    private readonly reports: RecoveryReports,
  ) {}

  /**
   * The newest retained checkpoint that can be read, else the savepoint the job started
   * from, else none. A checkpoint that cannot be read is dropped with a note in the
   * exception history, and recovery falls back to the one before it; a storage that cannot
   * be reached fails the attempt instead (retriable), so no checkpoint is dropped for it.
   */
  async restorePoint(): Promise<string | undefined> {
    if (!this.haRecovered) await this.recoverFromHa();
    for (const c of this.checkpoints.recoveryCandidates()) {
      try {
        const { metadata } = await this.checkpoints.storage.readMetadata(c.dir);
        this.checkpoints.stats.restoredFrom(metadata.checkpointId, false, c.dir, this.now());
        return c.dir;
      } catch (err) {
        // A store that cannot be reached now (S3 down) says nothing of the checkpoint: the attempt fails and is retried.
        if (err instanceof WeirError && err.retriable) throw err;
        this.checkpoints.forget(c.id);
        this.reports.exception(new WeirError('CORRUPT_CHECKPOINT', `checkpoint ${c.id} cannot be restored, falling back to an older one: ${errorMessage(err)}`, true, { cause: err }));
      }
    }
    const path = this.initialRestore;
    if (path === undefined) return undefined;
    const source = storageHolding(this.checkpoints.storage, path, this.plan.config);
    const { metadata } = await source.storage.readMetadata(path).finally(() => source.release());
    const problem = checkRestorable(metadata, this.plan.jobGraph, restoreSettings(this.plan.config), path);
    if (problem) throw problem;
    this.checkpoints.stats.restoredFrom(metadata.checkpointId, metadata.savepoint, path, this.now());
    return path;
  }

  /** Takes over the checkpoints a previous leader recorded (HA), and its checkpoint counter. */
  async recoverFromHa(): Promise<void> {
    const { pointers, nextCheckpointId } = await this.ha.recover();
    const readable: CompletedCheckpoint[] = [];
    for (const p of pointers) {
      try {
        const { metadata } = await this.checkpoints.storage.readMetadata(p.location);
        readable.unshift({ id: p.checkpointId, dir: p.location, savepoint: false, metadata });
      } catch (err) {
        // As for retained checkpoints: a store that cannot be reached now says nothing of the checkpoint.
        if (err instanceof WeirError && err.retriable) throw err;
        this.reports.exception(new WeirError('CORRUPT_CHECKPOINT', `checkpoint ${p.checkpointId} recorded for high availability at ${p.location} cannot be read, falling back to an older one: ${errorMessage(err)}`, true, { cause: err }));
      }
    }
    this.checkpoints.recover(readable, nextCheckpointId);
    this.haRecovered = true;
    // Shared files a JobManager that died mid-checkpoint left: no retained checkpoint references them.
    await this.checkpoints.discardOrphanedSharedState().catch((err: unknown) => this.reports.warning(`deleting unreferenced shared state failed: ${errorMessage(err)}`));
  }
}
