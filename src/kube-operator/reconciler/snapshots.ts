/**
 * Snapshots on request and on schedule: a new savepointTriggerNonce or checkpointTriggerNonce
 * takes one snapshot, periodic savepoints follow kubernetes.operator.periodic.savepoint.interval,
 * and savepoint-on-deletion takes one before the finalizer goes. Each trigger is written to
 * status.savepoints.pendingTrigger (with its trigger id) before it is sent; a failure is an
 * Event and is retried after 10 s, 20 s, 40 s... up to MAX_ATTEMPTS. Pure, like the reconciler.
 */
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { SnapshotTrigger, StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { ObservedJob, SnapshotOutcome } from './facts.ts';
import type { OperatorSettings } from './operator-settings.ts';
import { retryDelayMs } from './operator-settings.ts';
import { retained, withSavepoint } from './savepoint-history.ts';
import { everyTaskRuns } from './job-status.ts';
import { WriteAhead, triggerIdFor } from './write-ahead.ts';

/** A snapshot that failed this often is given up (its nonce counts as handled). */
export const MAX_ATTEMPTS = 4;

export interface SnapshotInput {
  sd: StreamDeployment;
  status: StreamDeploymentStatus;
  job: ObservedJob | undefined;
  snapshot: SnapshotOutcome | undefined;
  settings: OperatorSettings;
  now: Date;
  /** No upgrade in progress and the deployed spec is the current one: new snapshots may start. */
  quiet: boolean;
}

export interface SnapshotPlan {
  steps: WriteAhead['steps'];
  status: StreamDeploymentStatus;
  events: WriteAhead['events'];
}

export function planSnapshots(i: SnapshotInput): SnapshotPlan {
  const w = new WriteAhead(i.status);
  const pending = i.status.savepoints?.pendingTrigger;
  if (pending) followTrigger(w, i, pending);
  else if (i.quiet && i.job && everyTaskRuns(i.job)) startRequested(w, i, i.job);
  // Retention, whatever the job does: savepoints that leave the history are disposed of now.
  const { savepoints, dispose } = retained(w.status.savepoints, i.settings, i.now);
  if (dispose.length > 0) {
    w.status = { ...w.status, savepoints };
    for (const location of dispose) w.act({ type: 'disposeSavepoint', location });
  }
  return { steps: w.steps, status: w.status, events: w.events };
}

/** The deletion savepoint: triggered once if the job runs; deletion goes on when it is done, failed or late. */
export function planDeletionSavepoint(i: Omit<SnapshotInput, 'quiet'>, deletionTime: Date): SnapshotPlan & { waiting: boolean } {
  const w = new WriteAhead(i.status);
  const pending = i.status.savepoints?.pendingTrigger;
  const late = i.now.getTime() - deletionTime.getTime() > i.settings.deletionSavepointTimeoutMs;
  if (pending?.triggerType === 'DELETION') {
    const outcome = i.snapshot;
    if (outcome?.status === 'COMPLETED' && outcome.location !== undefined) {
      w.status = { ...w.status, savepoints: { ...withSavepoint(w.status.savepoints, { location: outcome.location, timestamp: i.now.getTime(), triggerType: 'DELETION', formatType: 'CANONICAL' }), pendingTrigger: undefined } };
      w.event({ type: 'Normal', reason: 'SavepointCompleted', message: `Savepoint ${outcome.location} completed (DELETION)` });
      return { ...view(w), waiting: false };
    }
    const failed = outcome?.status === 'FAILED' || (outcome?.status === 'UNKNOWN' && !(i.job && everyTaskRuns(i.job)));
    if (failed || late) {
      const why = failed ? (outcome?.status === 'FAILED' ? outcome.error : 'the JobManager does not know the trigger') : `no answer within ${i.settings.deletionSavepointTimeoutMs / 1000} s`;
      w.status = { ...w.status, savepoints: { ...w.status.savepoints, pendingTrigger: undefined } };
      w.event({ type: 'Warning', reason: 'SavepointFailed', message: `Savepoint before deletion failed: ${why}; deleting without it` });
      return { ...view(w), waiting: false };
    }
    if (outcome?.status === 'UNKNOWN') w.act({ type: 'triggerSavepoint', jobId: pending.jobId!, triggerId: pending.triggerId!, then: 'stop' });
    return { ...view(w), waiting: true };
  }
  if (late || !i.job || !everyTaskRuns(i.job)) return { ...view(w), waiting: false };
  trigger(w, i, i.job, { kind: 'savepoint', triggerType: 'DELETION' });
  return { ...view(w), waiting: true };
}

function view(w: WriteAhead): SnapshotPlan {
  return { steps: w.steps, status: w.status, events: w.events };
}

function startRequested(w: WriteAhead, i: SnapshotInput, job: ObservedJob): void {
  const spec = i.sd.spec.job;
  const sp = i.status.savepoints;
  if (spec.savepointTriggerNonce !== undefined && spec.savepointTriggerNonce !== sp?.lastSavepointNonce) {
    trigger(w, i, job, { kind: 'savepoint', triggerType: 'MANUAL', nonce: spec.savepointTriggerNonce });
  } else if (spec.checkpointTriggerNonce !== undefined && spec.checkpointTriggerNonce !== sp?.lastCheckpointNonce) {
    trigger(w, i, job, { kind: 'checkpoint', triggerType: 'MANUAL', nonce: spec.checkpointTriggerNonce });
  } else if (i.settings.periodicSavepointIntervalMs !== undefined) {
    // Counted from the latest savepoint of this job, or from its start.
    const since = Math.max(sp?.last?.timestamp ?? 0, job.startTime);
    if (i.now.getTime() - since >= i.settings.periodicSavepointIntervalMs) trigger(w, i, job, { kind: 'savepoint', triggerType: 'PERIODIC', nonce: since });
  }
}

function trigger(w: WriteAhead, i: Omit<SnapshotInput, 'quiet'>, job: ObservedJob, what: Pick<SnapshotTrigger, 'kind' | 'triggerType' | 'nonce'>, attempt = 0): void {
  const triggerId = triggerIdFor(i.sd.metadata.uid, what.kind, what.triggerType, what.nonce, attempt);
  const pendingTrigger: SnapshotTrigger = { ...what, jobId: job.id, triggerId, triggerTime: i.now.getTime(), attempt };
  w.write({ ...w.status, savepoints: { ...w.status.savepoints, pendingTrigger } });
  const then = what.triggerType === 'DELETION' ? 'stop' : 'continue';
  const label = what.kind === 'savepoint' ? 'Savepoint' : 'Checkpoint';
  w.act(what.kind === 'savepoint' ? { type: 'triggerSavepoint', jobId: job.id, triggerId, then } : { type: 'triggerCheckpoint', jobId: job.id, triggerId }, {
    type: 'Normal',
    reason: what.kind === 'savepoint' ? 'SavepointTriggered' : 'CheckpointTriggered',
    message: `${label} of job ${job.id} triggered (${what.triggerType}${what.nonce !== undefined && what.triggerType === 'MANUAL' ? `, nonce ${what.nonce}` : ''}${attempt > 0 ? `, attempt ${attempt + 1}` : ''})`,
  });
}

function followTrigger(w: WriteAhead, i: SnapshotInput, p: SnapshotTrigger): void {
  const runs = i.job !== undefined && everyTaskRuns(i.job);
  const label = p.kind === 'savepoint' ? 'Savepoint' : 'Checkpoint';
  const handled = (sp: StreamDeploymentStatus['savepoints']) =>
    p.triggerType !== 'MANUAL' ? sp : p.kind === 'savepoint' ? { ...sp, lastSavepointNonce: p.nonce } : { ...sp, lastCheckpointNonce: p.nonce };
  if (p.triggerId === undefined) {
    if (i.now.getTime() < (p.retryAt ?? 0) || !runs) return;
    trigger(w, i, i.job!, p, p.attempt ?? 0);
    return;
  }
  const outcome = i.snapshot;
  if (outcome === undefined || outcome.status === 'IN_PROGRESS') return;
  if (outcome.status === 'COMPLETED') {
    const timestamp = i.now.getTime();
    let sp: StreamDeploymentStatus['savepoints'] = { ...w.status.savepoints, pendingTrigger: undefined };
    if (p.kind === 'savepoint' && outcome.location !== undefined) sp = withSavepoint(sp, { location: outcome.location, timestamp, triggerType: p.triggerType, formatType: 'CANONICAL' });
    if (p.kind === 'checkpoint') sp = { ...sp, lastCheckpoint: { checkpointId: outcome.checkpointId, timestamp, triggerType: p.triggerType } };
    w.status = { ...w.status, savepoints: handled(sp) };
    w.event({ type: 'Normal', reason: p.kind === 'savepoint' ? 'SavepointCompleted' : 'CheckpointCompleted', message: `${label} ${outcome.location ?? outcome.checkpointId ?? ''} completed (${p.triggerType})` });
    return;
  }
  if (outcome.status === 'UNKNOWN' && runs && i.job!.id === p.jobId) {
    w.act(p.kind === 'savepoint' ? { type: 'triggerSavepoint', jobId: p.jobId, triggerId: p.triggerId, then: 'continue' } : { type: 'triggerCheckpoint', jobId: p.jobId, triggerId: p.triggerId });
    return;
  }
  const error = outcome.status === 'FAILED' ? outcome.error : 'the JobManager does not know the trigger (it restarted, or the job changed)';
  const attempt = (p.attempt ?? 0) + 1;
  if (attempt >= MAX_ATTEMPTS) {
    w.status = { ...w.status, savepoints: handled({ ...w.status.savepoints, pendingTrigger: undefined }) };
    w.event({ type: 'Warning', reason: p.kind === 'savepoint' ? 'SavepointFailed' : 'CheckpointFailed', message: `${label} (${p.triggerType}) failed: ${error}; gave up after ${attempt} attempts` });
    return;
  }
  w.status = { ...w.status, savepoints: { ...w.status.savepoints, pendingTrigger: { ...p, triggerId: undefined, attempt, retryAt: i.now.getTime() + retryDelayMs(attempt), error } } };
  w.event({ type: 'Warning', reason: p.kind === 'savepoint' ? 'SavepointFailed' : 'CheckpointFailed', message: `${label} (${p.triggerType}) failed: ${error}; retrying in ${retryDelayMs(attempt) / 1000} s` });
}
