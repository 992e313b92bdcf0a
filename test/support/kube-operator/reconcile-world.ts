/**
 * A world for pure reconciler tests: a StreamDeployment, its children as the API server would
 * show them once rolled out, and what the JobManager reports. `pass()` runs `reconcile` on it
 * and applies the plan's writes to the world, so multi-step rules read as a sequence of passes
 * with the exact actions each one returns.
 */
import { reconcile } from '../../../src/kube-operator/reconciler/reconcile.ts';
import type { ReconcileAction, ReconcilePlan } from '../../../src/kube-operator/reconciler/actions.ts';
import type { Facts, HaMetadata, JobObservation, ObservedJob, SnapshotOutcome, TaskCounts } from '../../../src/kube-operator/reconciler/facts.ts';
import type { StreamDeployment } from '../../../src/kube-operator/crd/stream-deployment-crd.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus } from '../../../src/kube-operator/crd/stream-deployment-schema.ts';
import type { KubeObject } from '../../../src/kube-operator/kube/kube-object.ts';
import type { VertexObservation } from '../../../src/kube-operator/autoscaler/scaling-inputs.ts';

export const T0 = Date.parse('2026-11-23T10:00:00.000Z');
export const TIMING = { progressIntervalMs: 1000, stableIntervalMs: 10_000 };
export const JOB_ID = 'a'.repeat(32);
export const UID = 'uid-1';

const NO_TASKS: TaskCounts = { total: 0, created: 0, scheduled: 0, deploying: 0, running: 0, finished: 0, canceling: 0, canceled: 0, failed: 0, reconciling: 0, initializing: 0 };

export function jobIn(state: string, extra: Partial<ObservedJob> = {}): ObservedJob {
  const tasks = state === 'RUNNING' ? { ...NO_TASKS, total: 2, running: 2 } : state === 'FAILED' ? { ...NO_TASKS, total: 2, failed: 2 } : { ...NO_TASKS, total: 2, finished: 2 };
  return { id: JOB_ID, name: 'fraud', state, startTime: T0, tasks, checkpoints: { completed: 3, latestCompletedAt: T0 }, ...extra };
}

/** Checkpoints and savepoints on S3, which every pod sees: validation refuses snapshots to a pod's own disk. */
export const SHARED_STORAGE = { 'state.checkpoints.dir': 's3://weir/checkpoints', 'state.savepoints.dir': 's3://weir/savepoints' };

export function baseSpec(job: Partial<StreamDeploymentSpec['job']> = {}, rest: Partial<StreamDeploymentSpec> = {}): StreamDeploymentSpec {
  return { image: 'weir:1', ...rest, configuration: { ...SHARED_STORAGE, ...rest.configuration }, job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2, ...job } };
}

/** Children as the API server would show them once created and rolled out. */
export function rolledOut(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.kind !== 'Deployment') return { ...o, metadata: { ...o.metadata, resourceVersion: '5' } };
    const replicas = (o.spec as { replicas: number }).replicas;
    return { ...o, metadata: { ...o.metadata, generation: 1, resourceVersion: '5' }, status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas } };
  });
}

export class World {
  sd: StreamDeployment;
  children: KubeObject[] = [];
  job: ObservedJob | undefined;
  snapshot: SnapshotOutcome | undefined;
  ha: HaMetadata | undefined;
  /** The autoscaler's samples of this pass, when it collected some. */
  autoscaler: readonly VertexObservation[] | undefined;
  now = T0;
  /** Every status write of the last pass, in order (the write-ahead log as it was written). */
  writes: StreamDeploymentStatus[] = [];

  constructor(spec: StreamDeploymentSpec) {
    this.sd = { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'fraud', namespace: 'jobs', uid: UID, generation: 1, resourceVersion: '10', finalizers: ['weir.dev/finalizer'] }, spec };
  }

  get status(): StreamDeploymentStatus {
    return this.sd.status ?? {};
  }

  facts(): Facts {
    // A JobManager Deployment scaled to zero has no pod left to ask.
    const jm = this.children.find((c) => c.kind === 'Deployment' && c.metadata.name.endsWith('-jobmanager'));
    const down = jm !== undefined && (jm.spec as { replicas: number }).replicas === 0;
    const jobManager: JobObservation | undefined = this.children.length === 0 || down ? undefined : { reachable: true, job: this.job };
    return { sd: this.sd, children: this.children, jobManager, ...(down ? { jobManagerPods: [] } : {}), snapshot: this.snapshot, ha: this.ha, now: new Date(this.now), ...(this.autoscaler ? { autoscaler: this.autoscaler } : {}) };
  }

  /** One reconcile pass; its status writes and child writes are applied to the world. */
  pass(): ReconcilePlan {
    const plan = reconcile(this.facts(), TIMING);
    this.writes = plan.flatMap((a) => (a.type === 'recordTarget' || a.type === 'writeStatus' ? [a.status] : []));
    if (this.writes.length > 0) this.sd = { ...this.sd, status: this.writes.at(-1) };
    const applied = plan.flatMap((a) => (a.type === 'createChild' || a.type === 'replaceChild' ? [a.object] : []));
    const names = new Set(applied.map((o) => `${o.kind}/${o.metadata.name}`));
    this.children = [...this.children.filter((c) => !names.has(`${c.kind}/${c.metadata.name}`)), ...rolledOut(applied)];
    if (plan.some((a) => a.type === 'removeFinalizer')) this.sd = { ...this.sd, metadata: { ...this.sd.metadata, finalizers: [] } };
    return plan;
  }

  /** Deploys the spec and runs the job until STABLE. */
  stable(): this {
    this.pass();
    this.job = jobIn('RUNNING');
    this.pass();
    return this;
  }

  change(job: Partial<StreamDeploymentSpec['job']>, rest: Partial<StreamDeploymentSpec> = {}): this {
    this.sd = { ...this.sd, metadata: { ...this.sd.metadata, generation: (this.sd.metadata.generation ?? 1) + 1 }, spec: { ...this.sd.spec, ...rest, job: { ...this.sd.spec.job, ...job } } };
    return this;
  }
}

/** A plan as one line per action, the shape the upgrade tests compare against. */
export function summary(plan: ReconcilePlan): string[] {
  return plan.map(describe);
}

function describe(a: ReconcileAction): string {
  switch (a.type) {
    case 'recordTarget':
    case 'writeStatus': {
      const r = a.status.reconciliation;
      const u = r?.upgrade;
      return `${a.type} ${a.status.lifecycleState}${u ? ` ${u.step}` : ''}`;
    }
    case 'createChild':
    case 'replaceChild':
      return `${a.type} ${a.object.kind}/${a.object.metadata.name}`;
    case 'cancelJob':
      return `cancelJob ${a.jobId.slice(0, 4)}`;
    case 'triggerSavepoint':
      return `triggerSavepoint ${a.then}`;
    case 'triggerCheckpoint':
      return 'triggerCheckpoint';
    case 'deleteHaMetadata':
      return `deleteHaMetadata ${a.configMaps.join(',')}`;
    case 'disposeSavepoint':
      return `disposeSavepoint ${a.location}`;
    case 'recordEvent':
      return `event ${a.event.reason}`;
    case 'requeueAfter':
      return `requeue ${a.ms}`;
    default:
      return a.type;
  }
}

/** The runtime configuration file a ConfigMap child carries. */
export function configFileOf(objects: readonly KubeObject[]): string {
  const cm = objects.find((o) => o.kind === 'ConfigMap');
  return (cm as (KubeObject & { data?: Record<string, string> }) | undefined)?.data?.['config.yaml'] ?? '';
}
