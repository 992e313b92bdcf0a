/**
 * The StreamDeployment reconciler: a pure function from observed facts to a plan, an
 * ordered list of actions. It is level-triggered (the same facts give the same plan, and a
 * plan for an unchanged world writes nothing) and records the spec it is about to act on in
 * status first, so an operator that dies mid-way resumes the same target instead of starting over.
 */
import { desiredChildren } from '../children/desired-children.ts';
import { CLUSTER_HASH_ANNOTATION, FINALIZER, childNames, labelSelectorString, selectorLabels } from '../children/names.ts';
import { canonicalJson } from '../children/stable-hash.ts';
import type { Condition, LifecycleState, StreamDeploymentSpec, StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { describeProblems, kubernetesHa, validateSpec } from '../validation/validate-spec.ts';
import { describeUnsupported, unsupportedFields } from '../validation/unsupported-fields.ts';
import { conditionOf, setCondition } from './conditions.ts';
import { crashLoopOf, describeCrashLoop } from './crash-loop.ts';
import type { CrashLoop } from './crash-loop.ts';
import type { EventSpec, Facts, ObservedJob } from './facts.ts';
import { planLifecycle } from './job-lifecycle.ts';
import { operatorSettings } from './operator-settings.ts';
import type { OperatorSettings } from './operator-settings.ts';
import { planDeletionSavepoint, planSnapshots } from './snapshots.ts';
import type { ReconcileAction, ReconcilePlan } from './actions.ts';
import { jobManagerDeploymentStatus, rolledOut, upToDate } from './rollout.ts';
import { everyTaskRuns, jobStateTransition, observedJobStatus } from './job-status.ts';
import { autoscalerOnStablePass } from '../autoscaler/stable-pass.ts';
import { forUserSpec, scaledSpec } from '../autoscaler/scaled-spec.ts';

export interface ReconcileTiming {
  /** Poll interval while deploying or upgrading. */
  progressIntervalMs: number;
  /** Poll interval of a stable job (catches job failures the JobManager does not push). */
  stableIntervalMs: number;
}

export const DEFAULT_TIMING: ReconcileTiming = { progressIntervalMs: 2_000, stableIntervalMs: 15_000 };

const key = (o: Pick<KubeObject, 'kind' | 'metadata'>) => `${o.kind}/${o.metadata.name}`;

/** What one pass decided, before it is put in the order the actions must run in. */
interface Decision {
  finalizer?: 'add' | 'remove';
  /** Write-ahead status writes (each followed by the events of what it records) and job side effects, in order, before the children. */
  steps: ReconcileAction[];
  /** Desired children that are missing or differ from the observed ones. */
  apply: KubeObject[];
  cancelJob?: string;
  /** Children to delete before the finalizer goes (under HA, the JobManager before its HA data). */
  remove?: KubeObject[];
  /** The cluster id whose HA ConfigMaps go with the StreamDeployment. */
  deleteHaData?: string;
  /** Events of what `status` records: they follow the write of it. */
  events: EventSpec[];
  status: StreamDeploymentStatus;
  requeueAfterMs?: number;
}

export const PAUSE_ANNOTATION = 'weir.dev/pause-reconciliation';

export function reconcile(facts: Facts, timing: ReconcileTiming = DEFAULT_TIMING): ReconcilePlan {
  return ordered(decide(facts, timing), facts);
}

function decide(facts: Facts, timing: ReconcileTiming): Decision {
  const { sd, now } = facts;
  const current: StreamDeploymentStatus = sd.status ?? {};
  const events: EventSpec[] = [];
  const job = facts.jobManager?.reachable ? facts.jobManager.job : undefined;
  const settings = operatorSettings(sd.spec, sd.metadata.name);

  if (sd.metadata.deletionTimestamp) {
    const d = deleting(facts, settings, job, timing);
    return d.finalizer && kubernetesHa(sd.spec) ? withHaCleanup(d, facts, timing) : d;
  }
  const finalizer = sd.metadata.finalizers?.includes(FINALIZER) ? undefined : ('add' as const);
  let status: StreamDeploymentStatus = { ...current, observedGeneration: sd.metadata.generation, lifecycleState: current.lifecycleState ?? 'CREATED' };

  const paused = sd.metadata.annotations?.[PAUSE_ANNOTATION] === 'true';
  const pausedBefore = conditionOf(current.conditions, 'ReconciliationPaused')?.status === 'True';
  if (paused) {
    // Nothing is acted on, not even the finalizer: only the condition says so.
    if (!pausedBefore) events.push({ type: 'Normal', reason: 'ReconciliationPaused', message: `Reconciliation paused by the ${PAUSE_ANNOTATION} annotation: no action is taken until it is removed` });
    status = { ...current, conditions: setCondition(current.conditions, { type: 'ReconciliationPaused', status: 'True', reason: 'Annotation', message: `${PAUSE_ANNOTATION} is "true"`, observedGeneration: sd.metadata.generation }, now) };
    return { steps: [], apply: [], events, status, requeueAfterMs: timing.stableIntervalMs };
  }
  if (pausedBefore) status = { ...status, conditions: setCondition(status.conditions, { type: 'ReconciliationPaused', status: 'False', reason: 'Annotation', message: '', observedGeneration: sd.metadata.generation }, now) };

  const problems = validateSpec(sd.spec);
  if (problems.length > 0) {
    const message = describeProblems(problems);
    if (conditionOf(current.conditions, 'Degraded')?.message !== message) events.push({ type: 'Warning', reason: 'ValidationError', message });
    status = { ...status, error: message, conditions: setCondition(status.conditions, { type: 'Degraded', status: 'True', reason: 'ValidationError', message, observedGeneration: sd.metadata.generation }, now) };
    // The last valid deployment keeps running: report its job, touch none of its children.
    status = { ...status, job: observedJobStatus(current, facts.jobManager).job };
    events.push(...jobStateTransition(current, status));
    return { finalizer, steps: [], apply: [], events, status, requeueAfterMs: current.reconciliation?.lastReconciledSpec ? timing.stableIntervalMs : undefined };
  }

  const observed = new Map(facts.children.map((o) => [key(o), o]));
  const foreign = desiredChildren(sd).filter((d) => {
    const o = observed.get(key(d));
    return o && !(o.metadata.ownerReferences ?? []).some((r) => r.uid === sd.metadata.uid);
  });
  if (foreign.length > 0) {
    const message = `${foreign.map(key).join(', ')} already exist and are not owned by this StreamDeployment; delete or rename them`;
    if (current.error !== message) events.push({ type: 'Warning', reason: 'Error', message });
    status = { ...status, error: message, conditions: setCondition(status.conditions, { type: 'Degraded', status: 'True', reason: 'ChildConflict', message, observedGeneration: sd.metadata.generation }, now) };
    return { finalizer, steps: [], apply: [], events, status, requeueAfterMs: timing.progressIntervalMs };
  }

  // A change of the user's spec (a new generation) wins over the autoscaler's parallelism and restarts its stabilization.
  const newGeneration = current.observedGeneration !== undefined && current.observedGeneration !== sd.metadata.generation;
  if (current.autoscaler) status = { ...status, autoscaler: forUserSpec(current.autoscaler, sd.spec, newGeneration, now) };
  // The spec the job runs: the user's with the autoscaler's applied parallelism, recorded as canonical JSON so equal specs compare equal.
  const runSpec = scaledSpec(sd.spec, status.autoscaler);
  const runRecord = canonicalJson(runSpec);
  const jobManagerDown = facts.jobManager === undefined && (facts.jobManagerPods?.length ?? 0) === 0;
  const lifecycle = planLifecycle({ sd: { ...sd, spec: runSpec }, record: runRecord, status, job, snapshot: facts.snapshot, ha: facts.ha, jobManagerDown, settings, now });
  const steps: ReconcileAction[] = [...lifecycle.steps];
  status = lifecycle.status;
  const { record, restore, deployTime } = lifecycle.deploy;
  const deployedSd: StreamDeployment = { ...sd, spec: lifecycle.deploy.spec };
  const running = (deployedSd.spec.job.state ?? 'running') === 'running';
  const rolledBack = status.reconciliation?.rolledBackSpec !== undefined && status.reconciliation.rolledBackSpec === runRecord;

  // While the job's state is dropped its cluster runs no pod, though the job is not suspended.
  const desired = desiredChildren(lifecycle.scaledToZero ? { ...deployedSd, spec: { ...deployedSd.spec, job: { ...deployedSd.spec.job, state: 'suspended' } } } : deployedSd, restore, deployTime);
  const apply = desired.filter((d) => !upToDate(observed.get(key(d)), d));
  const jmDesired = desired.find((d) => d.kind === 'Deployment' && d.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager')!;
  const tmDesired = desired.find((d) => d.kind === 'Deployment' && d.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager')!;
  const jmObserved = observed.get(key(jmDesired));
  const jmChanged = apply.some((d) => key(d) === key(jmDesired));
  const settled = !jmChanged && !apply.some((d) => key(d) === key(tmDesired));

  // Backs the scale subresource (kubectl scale, HPA): the TaskManager pods that exist and how to select them.
  const tmReplicas = (observed.get(key(tmDesired))?.status as { replicas?: number } | undefined)?.replicas ?? 0;
  // The upgrade's last step ends once the children it asked for are in place.
  const upgrade = status.reconciliation?.upgrade?.step === 'DEPLOYING' && settled ? undefined : status.reconciliation?.upgrade;
  const inUpgrade = upgrade !== undefined;
  const reconciliationState = inUpgrade ? 'UPGRADING' : rolledBack ? (status.reconciliation?.state === 'ROLLED_BACK' ? 'ROLLED_BACK' : 'ROLLING_BACK') : 'DEPLOYED';
  status = { ...status, reconciliation: { ...status.reconciliation, state: reconciliationState, upgrade }, taskManager: { replicas: tmReplicas, labelSelector: labelSelectorString(selectorLabels(sd.metadata.name, 'taskmanager')) } };
  const crash = running ? jmCrashLoop(facts, jmDesired, current) : undefined;
  let rescaling = false;
  if (!running) {
    status = { ...status, lifecycleState: 'SUSPENDED', jobManagerDeploymentStatus: 'MISSING', job: { ...status.job, state: 'SUSPENDED' } };
  } else {
    const jmStatus = jobManagerDeploymentStatus(jmObserved, jmChanged, facts.jobManager?.reachable === true, crash !== undefined);
    status = { ...status, jobManagerDeploymentStatus: jmStatus };
    // A job reported by a JobManager from before the change is not the target's job.
    if (settled) status = { ...status, ...observedJobStatus(current, facts.jobManager) };
    const tmReady = settled && rolledOut(observed.get(key(tmDesired)));
    const jobState = status.job?.state;
    const upgrading = status.reconciliation?.lastStableSpec !== undefined && status.reconciliation.lastStableSpec !== record;
    // Stable is a fact of this observation: the job finished, or it runs with every one of its tasks
    // (and, where rollback is on, has completed a checkpoint: the readiness Flink's rollback asks for).
    const checkpointed = !settings.rollbackEnabled || (job?.checkpoints?.completed ?? 0) >= 1;
    const jobHolds = settled && job !== undefined && (job.state === 'FINISHED' || (everyTaskRuns(job) && checkpointed));
    let lifecycleState: LifecycleState;
    if (inUpgrade) lifecycleState = 'UPGRADING';
    else if (settled && jmStatus === 'READY' && jobState === 'FAILED') lifecycleState = 'FAILED';
    else if (settled && jmStatus === 'READY' && tmReady && jobHolds) lifecycleState = rolledBack ? 'ROLLED_BACK' : 'STABLE';
    else lifecycleState = rolledBack ? 'ROLLING_BACK' : upgrading ? 'UPGRADING' : 'DEPLOYED';
    status = { ...status, lifecycleState };
    if (lifecycleState === 'STABLE') status = { ...status, reconciliation: { ...status.reconciliation, lastStableSpec: record } };
    if (lifecycleState === 'ROLLED_BACK') status = { ...status, reconciliation: { ...status.reconciliation, state: 'ROLLED_BACK' } };
    const scaled = lifecycleState === 'STABLE' ? autoscaling(status, sd.spec, record, facts, now) : undefined;
    if (scaled) {
      status = scaled.status;
      events.push(...scaled.events);
      rescaling = scaled.acted;
    }
  }
  const snapshots = planSnapshots({ sd, status, job: settled ? job : undefined, snapshot: facts.snapshot, settings, now, quiet: !inUpgrade && !rolledBack && settled && record === runRecord });
  steps.push(...snapshots.steps);
  status = snapshots.status;
  events.push(...snapshots.events);

  const unsupported = unsupportedFields(sd.spec);
  const unsupportedMessage = unsupported.length > 0 ? describeUnsupported(unsupported) : undefined;
  const held = lifecycle.held ?? (rolledBack ? { reason: 'RolledBack', message: 'the upgrade was rolled back to the last stable spec; change the spec to try again' } : undefined);
  status = withConditions(status, sd.metadata.generation, now, crash && describeCrashLoop(crash), held, unsupportedMessage);
  const degraded = conditionOf(status.conditions, 'Degraded');
  const newlyDegraded = degraded?.status === 'True' && conditionOf(current.conditions, 'Degraded')?.message !== degraded.message;
  if (newlyDegraded && (degraded.reason === 'UnsupportedField' || degraded.reason === 'CrashLoopBackOff' || degraded.reason === 'UpgradeBlocked')) {
    events.push({ type: 'Warning', reason: degraded.reason, message: degraded.message ?? '' });
  }
  events.push(...jobStateTransition(current, status));
  const stable = status.lifecycleState === 'STABLE' || status.lifecycleState === 'SUSPENDED' || status.lifecycleState === 'FAILED' || status.lifecycleState === 'ROLLED_BACK';
  const snapshotPending = status.savepoints?.pendingTrigger !== undefined;
  // Before its Deployment exists there is nothing to poll (its changes wake the controller); while its pod is
  // not ready, the pod is watched for a crash loop; once ready, the job.
  const polling = facts.jobManager !== undefined || facts.jobManagerPods !== undefined || (stable && apply.length === 0);
  const quietPoll = stable && apply.length === 0 && !inUpgrade && !snapshotPending && !rescaling;
  return { finalizer, steps, apply, events, status, requeueAfterMs: !polling && !inUpgrade ? undefined : quietPoll ? pollInterval(settings, timing) : timing.progressIntervalMs };
}

/** The autoscaler's part of a STABLE pass (autoscaler/stable-pass.ts). */
function autoscaling(status: StreamDeploymentStatus, spec: StreamDeploymentSpec, deployed: string, facts: Facts, now: Date): { status: StreamDeploymentStatus; events: EventSpec[]; acted: boolean } | undefined {
  const outcome = autoscalerOnStablePass(status.autoscaler, spec, deployed, facts.autoscaler, now);
  return outcome && { status: { ...status, autoscaler: outcome.autoscaler }, events: outcome.events, acted: outcome.acted };
}

/** A stable deployment is polled at the stable interval, or sooner when a periodic savepoint may fall due. */
function pollInterval(settings: OperatorSettings, timing: ReconcileTiming): number {
  return Math.min(timing.stableIntervalMs, settings.periodicSavepointIntervalMs ?? Infinity);
}

/** Deletion: with savepoint-on-deletion, one savepoint first (bounded by its timeout); then the job is cancelled and the finalizer removed. */
function deleting(facts: Facts, settings: OperatorSettings, job: ObservedJob | undefined, timing: ReconcileTiming): Decision {
  const { sd, now } = facts;
  const current: StreamDeploymentStatus = sd.status ?? {};
  const events: EventSpec[] = current.lifecycleState === 'DELETING' ? [] : [{ type: 'Normal', reason: 'Deleting', message: 'Deleting the job and its cluster' }];
  let status: StreamDeploymentStatus = { ...current, lifecycleState: 'DELETING' };
  const holdsFinalizer = sd.metadata.finalizers?.includes(FINALIZER) === true;
  if (holdsFinalizer && settings.savepointOnDeletion) {
    const plan = planDeletionSavepoint({ sd, status, job, snapshot: facts.snapshot, settings, now }, new Date(sd.metadata.deletionTimestamp!));
    status = plan.status;
    events.push(...plan.events);
    if (plan.waiting) return { steps: plan.steps, apply: [], events, status, requeueAfterMs: timing.progressIntervalMs };
  }
  return { steps: [], apply: [], events, status, cancelJob: job && job.state === 'RUNNING' ? job.id : undefined, finalizer: holdsFinalizer ? 'remove' : undefined };
}

/**
 * Degraded says why: an upgrade held back (or rolled back) first, then a failed job, then a
 * JobManager in a crash loop, else fields the operator accepts but does not act on yet.
 */
function withConditions(s: StreamDeploymentStatus, generation: number | undefined, now: Date, crash: string | undefined, held: { reason: string; message: string } | undefined, unsupported: string | undefined): StreamDeploymentStatus {
  const state = s.lifecycleState;
  const failed = state === 'FAILED';
  const error = failed ? (s.job?.state === 'FAILED' ? s.error : undefined) : crash;
  // A held upgrade says what the user must do (and names a failed job's state itself).
  const degraded: Omit<Condition, 'lastTransitionTime'> = held !== undefined
    ? { type: 'Degraded', status: 'True', reason: held.reason, message: held.message, observedGeneration: generation }
    : failed
      ? { type: 'Degraded', status: 'True', reason: 'JobFailed', message: error ?? 'the job failed', observedGeneration: generation }
      : crash !== undefined
        ? { type: 'Degraded', status: 'True', reason: 'CrashLoopBackOff', message: crash, observedGeneration: generation }
        : unsupported !== undefined
          ? { type: 'Degraded', status: 'True', reason: 'UnsupportedField', message: unsupported, observedGeneration: generation }
          : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '', observedGeneration: generation };
  let conditions = setCondition(s.conditions, degraded, now);
  conditions = setCondition(conditions, { type: 'Ready', status: state === 'STABLE' ? 'True' : 'False', reason: state ?? 'CREATED', message: '', observedGeneration: generation }, now);
  const progressing = state === 'DEPLOYED' || state === 'UPGRADING' || state === 'ROLLING_BACK';
  conditions = setCondition(conditions, { type: 'Progressing', status: progressing ? 'True' : 'False', reason: state ?? 'CREATED', message: '', observedGeneration: generation }, now);
  return { ...s, conditions, error };
}

/**
 * The JobManager's crash loop, if its pod (of the current template) is in one: while the
 * kubelet backs off, and also between restarts once reported, until the JobManager is ready.
 */
function jmCrashLoop(facts: Facts, jmDesired: KubeObject, current: StreamDeploymentStatus): CrashLoop | undefined {
  if (facts.jobManagerPods === undefined) return undefined;
  const template = (jmDesired.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }).template;
  const clusterHash = template?.metadata?.annotations?.[CLUSTER_HASH_ANNOTATION];
  const crash = crashLoopOf(facts.jobManagerPods.filter((p) => p.metadata.annotations?.[CLUSTER_HASH_ANNOTATION] === clusterHash));
  return crash && (crash.backingOff || current.jobManagerDeploymentStatus === 'ERROR') ? crash : undefined;
}

/**
 * The decision as actions, in the order they must run: the finalizer first (so deletion
 * waits for us), the target next (so a restart resumes it), then the children, the job,
 * the status reached, and last what ends or repeats the pass. Writes that would store what
 * is already stored are left out. An event follows the status write that makes its fact
 * durable, never precedes it (a pass failing in between would announce it again) nor waits
 * for later side effects (a pass failing in between would lose it: the next one reads the
 * fact from status and has nothing left to announce).
 */
function ordered(d: Decision, facts: Facts): ReconcilePlan {
  const stored = facts.sd.status ?? {};
  const observed = new Map(facts.children.map((o) => [key(o), o]));
  const actions: ReconcileAction[] = [];
  if (d.finalizer === 'add') actions.push({ type: 'addFinalizer' });
  let written = stored;
  for (const step of d.steps) {
    if (step.type === 'recordTarget') {
      if (sameStatus(written, step.status)) continue;
      written = step.status;
    }
    actions.push(step);
  }
  for (const desired of d.apply) {
    const current = observed.get(key(desired));
    actions.push(current ? { type: 'replaceChild', object: replacementOf(desired, current) } : { type: 'createChild', object: desired });
  }
  // Best effort: the cluster goes away with its owner anyway.
  if (d.cancelJob) actions.push({ type: 'cancelJob', jobId: d.cancelJob, bestEffort: true });
  for (const object of d.remove ?? []) actions.push({ type: 'deleteChild', object });
  const events = d.events.map((event): ReconcileAction => ({ type: 'recordEvent', event }));
  if (!sameStatus(written, d.status)) actions.push({ type: 'writeStatus', status: d.status }, ...events);
  else actions.splice(afterLastTarget(actions), 0, ...events);
  if (d.deleteHaData !== undefined) actions.push({ type: 'deleteHaConfigMaps', clusterId: d.deleteHaData });
  if (d.finalizer === 'remove') actions.push({ type: 'removeFinalizer' });
  else if (d.requeueAfterMs !== undefined) actions.push({ type: 'requeueAfter', ms: d.requeueAfterMs });
  return actions;
}

/** Where the events of a status already written by the last recordTarget go: right after it and its own events. */
function afterLastTarget(actions: readonly ReconcileAction[]): number {
  const last = actions.findLastIndex((a) => a.type === 'recordTarget');
  if (last < 0) return actions.length;
  let at = last + 1;
  while (actions[at]?.type === 'recordEvent') at++;
  return at;
}

/**
 * Deletion under JobManager HA: the HA ConfigMaps have no owner, so the operator deletes
 * them, but only once the JobManager Deployment and its pods are gone (a JobManager still
 * running would write its lock again). Until then the finalizer stays and the pass requeues.
 */
function withHaCleanup(d: Decision, facts: Facts, timing: ReconcileTiming): Decision {
  const { name } = facts.sd.metadata;
  const jobManager = facts.children.find((c) => c.kind === 'Deployment' && c.metadata.name === childNames(name).jobManager);
  if (jobManager) return { ...d, finalizer: undefined, remove: jobManager.metadata.deletionTimestamp ? [] : [jobManager], requeueAfterMs: timing.progressIntervalMs };
  return { ...d, deleteHaData: facts.sd.spec.configuration?.['high-availability.cluster-id'] ?? name };
}

/** The desired object as a replacement of the observed one: its resourceVersion, and a Service's allocated (immutable) cluster IPs. */
function replacementOf(desired: KubeObject, current: KubeObject): KubeObject {
  const body: KubeObject = { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion } };
  if (desired.kind === 'Service') {
    const { clusterIP, clusterIPs } = (current.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
    body.spec = { ...(desired.spec as object), ...(clusterIP === undefined ? {} : { clusterIP }), ...(clusterIPs === undefined ? {} : { clusterIPs }) };
  }
  return body;
}

/** Same status, ignoring key order: a plan writes only when this is false. */
export function sameStatus(a: StreamDeploymentStatus | undefined, b: StreamDeploymentStatus): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b);
}
