/**
 * How a spec change reaches the job: first deployment, upgrades in the job's upgrade mode
 * (stateless, savepoint, last-state), suspend and resume, savepoint redeploys and rollback.
 * Pure: from the facts and the status (the write-ahead log of an upgrade in progress) to the
 * steps to take now and the spec and restore point the children must follow.
 *
 * A savepoint upgrade is three steps, each written before its side effect: SAVEPOINTING with
 * the trigger id (then the stop-with-savepoint is sent), SAVEPOINT_DONE with the path (taken
 * from the JobManager's answer), DEPLOYING (then the children are replaced to restore from
 * it). A restarted operator resends the same trigger id, which the JobManager recognises, so
 * it never takes a second savepoint and never loses the first.
 */
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus, Upgrade, UpgradeMode } from '../crd/stream-deployment-schema.ts';
import type { RestoreFrom } from '../children/runtime-config.ts';
import type { EventSpec, HaMetadata, ObservedJob, SnapshotOutcome } from './facts.ts';
import { describeDiff, specDiff } from './diff-type.ts';
import type { OperatorSettings } from './operator-settings.ts';
import { retryDelayMs } from './operator-settings.ts';
import { withSavepoint } from './savepoint-history.ts';
import { everyTaskRuns } from './job-status.ts';
import { WriteAhead, reconciliationOf, triggerIdFor } from './write-ahead.ts';

export interface LifecycleInput {
  sd: StreamDeployment;
  /** The spec as canonical JSON. */
  record: string;
  status: StreamDeploymentStatus;
  /** The job as the JobManager reports it, when it answered. */
  job: ObservedJob | undefined;
  snapshot: SnapshotOutcome | undefined;
  ha: HaMetadata | undefined;
  /** No JobManager pod exists: its Deployment is absent, or has no ready replica and no pod left. */
  jobManagerDown: boolean;
  settings: OperatorSettings;
  now: Date;
}

export interface LifecyclePlan {
  /** Status writes, job side effects and the events each write makes true, in order, before the children are touched. */
  steps: WriteAhead['steps'];
  status: StreamDeploymentStatus;
  /**
   * The spec the children follow (the old one while an upgrade waits), where its job restores
   * from, and when that run was deployed (each deployment is a run of its own, see clusterHash).
   */
  deploy: { spec: StreamDeploymentSpec; record: string; restore: RestoreFrom | undefined; deployTime: number | undefined };
  /** Why the deployment is held where it is, shown as the Degraded condition. */
  held?: { reason: string; message: string };
  /** The children of `deploy` run no pod for now: the job's state is being dropped (DROPPING_STATE). */
  scaledToZero?: true;
}

const isRunning = (spec: StreamDeploymentSpec) => (spec.job.state ?? 'running') === 'running';

export function restoreOf(s: StreamDeploymentStatus): RestoreFrom | undefined {
  const r = reconciliationOf(s);
  return r.restorePath === undefined ? undefined : { path: r.restorePath, allowNonRestoredState: r.allowNonRestoredState ?? false };
}

function restoreFields(restore: RestoreFrom | undefined) {
  return { restorePath: restore?.path, allowNonRestoredState: restore?.allowNonRestoredState };
}

export function planLifecycle(i: LifecycleInput): LifecyclePlan {
  return new Lifecycle(i).plan();
}

class Lifecycle {
  private readonly w: WriteAhead;
  private readonly spec: StreamDeploymentSpec;
  private held: LifecyclePlan['held'];

  constructor(private readonly i: LifecycleInput) {
    this.w = new WriteAhead(i.status);
    this.spec = i.sd.spec;
  }

  private get rec() {
    return reconciliationOf(this.w.status);
  }

  private get jobRuns(): boolean {
    return this.i.job !== undefined && everyTaskRuns(this.i.job);
  }

  private get haCheckpoint(): boolean {
    return this.i.settings.haEnabled && this.i.ha?.hasCheckpoint === true;
  }

  private done(spec: StreamDeploymentSpec, record: string, restore: RestoreFrom | undefined): LifecyclePlan {
    return { steps: this.w.steps, status: this.w.status, deploy: { spec, record, restore, deployTime: this.rec.deployTime }, ...(this.held ? { held: this.held } : {}) };
  }

  /** The spec the children follow now: the last one acted on. */
  private deployed(): LifecyclePlan {
    const record = this.rec.lastReconciledSpec ?? this.i.record;
    return this.done(JSON.parse(record) as StreamDeploymentSpec, record, restoreOf(this.w.status));
  }

  private hold(reason: string, message: string): LifecyclePlan {
    if (this.held === undefined) this.held = { reason, message };
    return this.deployed();
  }

  plan(): LifecyclePlan {
    const rec = this.rec;
    if (rec.lastReconciledSpec === undefined) return this.firstDeployment();
    if (rec.upgrade) return this.continueUpgrade(rec.upgrade);
    // After a rollback the stable spec runs until the spec changes again.
    if (rec.rolledBackSpec !== undefined && rec.rolledBackSpec === this.i.record) return this.deployed();
    if (rec.lastReconciledSpec === this.i.record) {
      // Back on the running spec: a rolled-back spec applied again later is tried again.
      if (rec.rolledBackSpec !== undefined) this.w.write({ ...this.w.status, reconciliation: { ...rec, rolledBackSpec: undefined } });
      return this.rollbackIfDue() ?? this.deployed();
    }
    // A snapshot asked for runs to its end first (Flink waits for it too).
    if (this.w.status.savepoints?.pendingTrigger?.triggerId !== undefined) return this.deployed();
    return this.startUpgrade(JSON.parse(rec.lastReconciledSpec) as StreamDeploymentSpec);
  }

  private firstDeployment(): LifecyclePlan {
    const { job } = this.spec;
    const restore = job.initialSavepointPath ? { path: job.initialSavepointPath, allowNonRestoredState: job.allowNonRestoredState ?? false } : undefined;
    const running = isRunning(this.spec);
    // Nonces set at creation ask for nothing: there is no job to snapshot yet.
    const savepoints = { ...this.w.status.savepoints, lastSavepointNonce: job.savepointTriggerNonce, lastCheckpointNonce: job.checkpointTriggerNonce };
    this.w.write(
      {
        ...this.w.status,
        lifecycleState: running ? 'DEPLOYED' : 'SUSPENDED',
        savepoints,
        reconciliation: { ...this.rec, lastReconciledSpec: this.i.record, state: 'DEPLOYED', deployTime: this.i.now.getTime(), ...restoreFields(restore) },
      },
      running
        ? { type: 'Normal', reason: 'Submit', message: `Deploying ${job.entry} with parallelism ${job.parallelism ?? 1}${restore ? ` from ${restore.path}` : ''}` }
        : { type: 'Normal', reason: 'Suspended', message: 'Suspending the job: scaling the cluster to zero' },
    );
    return this.done(this.spec, this.i.record, restore);
  }

  private startUpgrade(before: StreamDeploymentSpec): LifecyclePlan {
    const diff = specDiff(before, this.spec);
    if (diff.type === 'IGNORE') {
      this.w.write({ ...this.w.status, reconciliation: { ...this.rec, lastReconciledSpec: this.i.record, rolledBackSpec: undefined } });
      return this.done(this.spec, this.i.record, restoreOf(this.w.status));
    }
    const why = describeDiff(diff);
    const job = this.spec.job;
    if (diff.type === 'SAVEPOINT_REDEPLOY') {
      return this.redeploy('stateless', { path: job.initialSavepointPath!, allowNonRestoredState: job.allowNonRestoredState ?? false }, `${why}: redeploying from ${job.initialSavepointPath}, dropping the job's current state`, true);
    }
    const mode: UpgradeMode = job.upgradeMode ?? 'stateless';
    if (!isRunning(before)) return this.resume(mode, why);
    if (mode === 'stateless') return this.redeploy('stateless', undefined, why, true);
    if (mode === 'last-state') {
      if (!this.haCheckpoint) return this.hold('UpgradeBlocked', this.noHaMessage());
      const latest = this.i.job?.checkpoints?.latestCompletedAt;
      const maxAge = this.i.settings.maxCheckpointAgeMs;
      if (maxAge !== undefined && this.jobRuns && (latest === undefined || this.i.now.getTime() - latest > maxAge)) {
        return this.triggerUpgradeSavepoint(`${why}; the latest checkpoint is older than ${maxAge} ms (last-state.max.allowed.checkpoint.age), so a savepoint is taken instead`, 0);
      }
      return this.redeploy('last-state', undefined, why, false);
    }
    if (this.jobRuns) return this.triggerUpgradeSavepoint(why, 0);
    return this.jobNotRunning(why);
  }

  /** A savepoint upgrade of a job that does not run: last-state when allowed and possible, else it waits. */
  private jobNotRunning(why: string): LifecyclePlan {
    const job = this.i.job;
    const state = job === undefined ? 'not reachable' : job.state === 'RUNNING' ? `RUNNING with ${job.tasks.running} of ${job.tasks.total} tasks running` : job.state;
    if (this.i.settings.lastStateFallback && this.haCheckpoint) {
      const fallback: EventSpec = { type: 'Warning', reason: 'LastStateFallback', message: `The job is ${state}, so no savepoint can be taken: upgrading with last-state from the latest checkpoint instead` };
      return this.redeploy('last-state', undefined, why, false, [fallback, this.upgradeStarted('last-state', undefined, why)]);
    }
    const because = this.i.settings.lastStateFallback ? 'there is no HA metadata (high-availability.type: kubernetes with a completed checkpoint) to fall back to last-state' : 'last-state fallback is disabled (kubernetes.operator.job.upgrade.last-state-fallback.enabled)';
    return this.hold('UpgradeBlocked', `upgradeMode savepoint: the job is ${state}, so no savepoint can be taken, and ${because}; the upgrade waits for the job to run`);
  }

  private noHaMessage(): string {
    return `upgradeMode last-state needs the JobManager's HA metadata (high-availability.type: kubernetes, with a completed checkpoint in ${this.i.settings.clusterId}-<jobId>-config-map) and none was found; the job will not start empty: set initialSavepointPath to a savepoint or checkpoint and change savepointRedeployNonce to restore by hand, or use upgradeMode stateless`;
  }

  /** A suspended job resumes: from the savepoint its suspension took, from HA metadata, or (stateless) empty. */
  private resume(mode: UpgradeMode, why: string): LifecyclePlan {
    if (!isRunning(this.spec)) {
      this.w.write({ ...this.w.status, reconciliation: { ...this.rec, lastReconciledSpec: this.i.record } });
      return this.done(this.spec, this.i.record, restoreOf(this.w.status));
    }
    if (mode === 'stateless') return this.redeploy('stateless', undefined, why, true);
    const restore = restoreOf(this.w.status);
    if (mode === 'last-state' && !this.haCheckpoint && restore === undefined) return this.hold('UpgradeBlocked', this.noHaMessage());
    return this.redeploy(mode, mode === 'last-state' ? undefined : restore, why, false);
  }

  /**
   * Records the new target (a stateless one only once no HA metadata is left: see dropState)
   * with the events that announce it, cancels a stateless job, and returns the new spec for the
   * children: the JobManager Deployment is replaced (Recreate), so the old JobManager is gone
   * before the new one starts.
   */
  private redeploy(mode: UpgradeMode, restore: RestoreFrom | undefined, why: string, dropState: boolean, announced: readonly EventSpec[] = [this.upgradeStarted(mode, restore, why)]): LifecyclePlan {
    const running = isRunning(this.spec);
    if (dropState && this.haLeft) return this.dropState(restore, why);
    this.w.write(
      {
        ...this.w.status,
        lifecycleState: running ? 'UPGRADING' : 'SUSPENDED',
        reconciliation: { ...this.rec, lastReconciledSpec: this.i.record, state: 'UPGRADING', upgrade: undefined, rolledBackSpec: undefined, deployTime: this.i.now.getTime(), ...restoreFields(restore) },
      },
      ...announced,
    );
    if (dropState && this.i.job?.state === 'RUNNING') this.w.act({ type: 'cancelJob', jobId: this.i.job.id, bestEffort: true });
    return this.done(this.spec, this.i.record, restore);
  }

  private upgradeStarted(mode: UpgradeMode, restore: RestoreFrom | undefined, why: string): EventSpec {
    const running = isRunning(this.spec);
    const from = restore ? ` from savepoint ${restore.path}` : mode === 'last-state' ? ' from the latest checkpoint (HA metadata)' : ' without state';
    return { type: 'Normal', reason: running ? 'UpgradeStarted' : 'Suspended', message: `${running ? 'Upgrading' : 'Suspending'} with upgradeMode ${mode}${running ? from : ''}: ${why}` };
  }

  /** Under HA, whether a JobManager runs or job ConfigMaps exist: either may hand the old state to the next JobManager. */
  private get haLeft(): boolean {
    return this.i.ha !== undefined && (this.i.ha.configMaps.length > 0 || !this.i.jobManagerDown);
  }

  /**
   * A stateless redeploy under HA: DROPPING_STATE is written first, then the job is cancelled,
   * the old cluster scaled to zero and the job's ConfigMaps deleted (again on every pass that
   * sees them). Only a pass that sees no JobManager pod and no ConfigMap records the new spec, so
   * an operator killed before the deletion deletes them again, and no JobManager (same cluster
   * id, same job id) ever restores the old state from a pointer left behind.
   */
  private dropState(restore: RestoreFrom | undefined, why: string, marker?: Upgrade): LifecyclePlan {
    if (marker === undefined) {
      const upgrade: Upgrade = { mode: 'stateless', reason: why, step: 'DROPPING_STATE', startTime: this.i.now.getTime(), ...(restore ? { savepointPath: restore.path } : {}) };
      this.w.write({ ...this.w.status, lifecycleState: isRunning(this.spec) ? 'UPGRADING' : 'SUSPENDED', reconciliation: { ...this.rec, state: 'UPGRADING', upgrade } }, this.upgradeStarted('stateless', restore, why));
    }
    if (this.i.job?.state === 'RUNNING') this.w.act({ type: 'cancelJob', jobId: this.i.job.id, bestEffort: true });
    if (this.i.ha!.configMaps.length > 0) this.w.act({ type: 'deleteHaMetadata', configMaps: this.i.ha!.configMaps });
    return { ...this.deployed(), scaledToZero: true };
  }

  /** DROPPING_STATE: held while a JobManager or a job ConfigMap is seen, then the redeploy goes on without them. */
  private continueDroppingState(u: Upgrade): LifecyclePlan {
    const restore = u.savepointPath === undefined ? undefined : { path: u.savepointPath, allowNonRestoredState: this.spec.job.allowNonRestoredState ?? false };
    if (this.haLeft) return this.dropState(restore, u.reason ?? '', u);
    // Announced when DROPPING_STATE was written.
    return this.redeploy('stateless', restore, u.reason ?? '', true, []);
  }

  private triggerUpgradeSavepoint(why: string, attempt: number, previous?: Upgrade): LifecyclePlan {
    const job = this.i.job!;
    const triggerId = triggerIdFor(this.i.sd.metadata.uid, 'upgrade', this.i.sd.metadata.generation, attempt);
    const upgrade: Upgrade = { ...previous, mode: 'savepoint', reason: why, step: 'SAVEPOINTING', jobId: job.id, triggerId, attempt, startTime: previous?.startTime ?? this.i.now.getTime() };
    delete upgrade.retryAt;
    const started: EventSpec[] = previous === undefined ? [{ type: 'Normal', reason: isRunning(this.spec) ? 'UpgradeStarted' : 'Suspended', message: `${isRunning(this.spec) ? 'Upgrading' : 'Suspending'} with upgradeMode savepoint: ${why}` }] : [];
    this.w.write({ ...this.w.status, lifecycleState: 'UPGRADING', reconciliation: { ...this.rec, state: 'UPGRADING', upgrade } }, ...started);
    this.w.act({ type: 'triggerSavepoint', jobId: job.id, triggerId, then: 'stop' }, { type: 'Normal', reason: 'SavepointTriggered', message: `Stop-with-savepoint of job ${job.id} triggered (UPGRADE, trigger id ${triggerId})` });
    return this.deployed();
  }

  private continueUpgrade(u: Upgrade): LifecyclePlan {
    if (u.step === 'DROPPING_STATE') return this.continueDroppingState(u);
    if (u.step === 'SAVEPOINT_DONE') return this.deployFromSavepoint(u);
    if (u.step === 'DEPLOYING') return this.deployed();
    if (u.triggerId === undefined) {
      // A failed attempt waits out its backoff, then tries again if the job runs.
      if (u.retryAt !== undefined && this.i.now.getTime() < u.retryAt) return this.deployed();
      if (this.jobRuns) return this.triggerUpgradeSavepoint(u.reason ?? '', u.attempt ?? 0, u);
      return this.upgradeJobGone(u);
    }
    const outcome = this.i.snapshot;
    if (outcome === undefined || outcome.status === 'IN_PROGRESS') return this.deployed();
    if (outcome.status === 'COMPLETED' && outcome.location !== undefined) {
      const timestamp = this.i.now.getTime();
      this.w.write(
        {
          ...this.w.status,
          savepoints: withSavepoint(this.w.status.savepoints, { location: outcome.location, timestamp, triggerType: 'UPGRADE', formatType: 'CANONICAL' }),
          reconciliation: { ...this.rec, upgrade: { ...u, step: 'SAVEPOINT_DONE', savepointPath: outcome.location } },
        },
        { type: 'Normal', reason: 'SavepointCompleted', message: `Savepoint ${outcome.location} completed (UPGRADE)` },
      );
      return this.deployFromSavepoint(reconciliationOf(this.w.status).upgrade!);
    }
    if (outcome.status === 'UNKNOWN' && this.jobRuns && this.i.job!.id === u.jobId) {
      // Written, but the trigger never reached this JobManager: send it (again) under the same id.
      this.w.act({ type: 'triggerSavepoint', jobId: u.jobId, triggerId: u.triggerId, then: 'stop' });
      return this.deployed();
    }
    const error = outcome.status === 'FAILED' ? outcome.error : outcome.status === 'UNKNOWN' ? 'the JobManager does not know the trigger' : 'the savepoint has no location';
    const attempt = (u.attempt ?? 0) + 1;
    const retryAt = this.i.now.getTime() + retryDelayMs(attempt);
    this.w.write(
      { ...this.w.status, reconciliation: { ...this.rec, upgrade: { ...u, triggerId: undefined, attempt, retryAt } } },
      { type: 'Warning', reason: 'SavepointFailed', message: `Savepoint for the upgrade failed (attempt ${attempt}): ${error}; ${this.jobRuns ? `retrying in ${retryDelayMs(attempt) / 1000} s` : 'the job is not running'}` },
    );
    if (!this.jobRuns) return this.upgradeJobGone(reconciliationOf(this.w.status).upgrade!);
    return this.deployed();
  }

  /** The job stopped running before the upgrade's savepoint: fall back to last-state, or wait. */
  private upgradeJobGone(u: Upgrade): LifecyclePlan {
    return this.jobNotRunning(u.reason ?? '');
  }

  private deployFromSavepoint(u: Upgrade): LifecyclePlan {
    const restore = { path: u.savepointPath!, allowNonRestoredState: this.spec.job.allowNonRestoredState ?? false };
    const running = isRunning(this.spec);
    this.w.write({
      ...this.w.status,
      lifecycleState: running ? 'UPGRADING' : 'SUSPENDED',
      reconciliation: { ...this.rec, lastReconciledSpec: this.i.record, state: 'UPGRADING', rolledBackSpec: undefined, deployTime: this.i.now.getTime(), upgrade: { ...u, step: 'DEPLOYING' }, ...restoreFields(restore) },
    });
    return this.done(this.spec, this.i.record, restore);
  }

  /**
   * An upgrade that did not become stable (running with a completed checkpoint) within the
   * readiness timeout goes back to the last stable spec, restoring with last-state (or from the
   * savepoint the upgrade started from; with neither, only a stateless spec goes back). Only
   * while the spec is still the one that failed.
   */
  private rollbackIfDue(): LifecyclePlan | undefined {
    const rec = this.rec;
    const { settings, now } = this.i;
    if (!settings.rollbackEnabled || rec.lastStableSpec === undefined || rec.lastStableSpec === rec.lastReconciledSpec || rec.deployTime === undefined) return undefined;
    if (now.getTime() - rec.deployTime <= settings.readinessTimeoutMs) return undefined;
    if (this.jobRuns && (this.i.job?.checkpoints?.completed ?? 0) >= 1) return undefined;
    const restore = this.haCheckpoint ? undefined : restoreOf(this.w.status);
    // Never back to an empty job silently: without HA metadata or a savepoint, only a stateless spec rolls back.
    const stableMode = (JSON.parse(rec.lastStableSpec) as StreamDeploymentSpec).job.upgradeMode ?? 'stateless';
    if (!this.haCheckpoint && restore === undefined && stableMode !== 'stateless') return undefined;
    const why = this.i.job ? `the job is ${this.i.job.state}${this.jobRuns ? ' without a completed checkpoint' : ''}` : 'the JobManager did not answer';
    this.w.write(
      {
        ...this.w.status,
        lifecycleState: 'ROLLING_BACK',
        reconciliation: { ...rec, lastReconciledSpec: rec.lastStableSpec, rolledBackSpec: this.i.record, state: 'ROLLING_BACK', deployTime: now.getTime(), ...restoreFields(restore) },
      },
      { type: 'Warning', reason: 'RolledBack', message: `The upgrade was not stable within ${settings.readinessTimeoutMs / 1000} s (${why}): rolling back to the last stable spec with last-state` },
    );
    return this.done(JSON.parse(rec.lastStableSpec) as StreamDeploymentSpec, rec.lastStableSpec, restore);
  }
}
