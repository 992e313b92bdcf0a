/**
 * Observes one StreamDeployment and carries out the reconciler's plan: the thin I/O layer
 * around the pure `reconcile`. Children are read live (not from a cache), so a plan never
 * acts on a stale view of what exists.
 */
import { API_VERSION, KIND, asStreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import { FINALIZER, childNames } from '../children/names.ts';
import { desiredChildren } from '../children/desired-children.ts';
import { JobManagerClient } from '../jobmanager-client.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { objectPath, resourcePath } from '../kube/kube-object.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { Facts, JobObservation } from './facts.ts';
import { DEFAULT_TIMING, reconcile, sameStatus } from './reconcile.ts';
import type { ReconcileTiming } from './reconcile.ts';
import { readyReplicas } from './rollout.ts';

export interface ExecutorOptions {
  /** Where the operator reaches a deployment's JobManager (in-cluster: its Service). */
  jobManagerUrl: (name: string, namespace: string) => string;
  timing?: ReconcileTiming;
  clock?: () => Date;
  log?: (line: string) => void;
}

export interface ReconcileOutcome {
  requeueAfterMs?: number;
  /** Lifecycle state after this pass, or undefined when the resource is gone. */
  lifecycleState?: string;
}

export class PlanExecutor {
  private readonly timing: ReconcileTiming;
  private readonly clock: () => Date;

  constructor(
    private readonly kube: KubeClient,
    private readonly events: EventRecorder,
    private readonly options: ExecutorOptions,
  ) {
    this.timing = options.timing ?? DEFAULT_TIMING;
    this.clock = options.clock ?? (() => new Date());
  }

  /** `signal` aborts before every write, so a replica that lost its lease stops changing things at once. */
  async reconcile(namespace: string, name: string, signal?: AbortSignal): Promise<ReconcileOutcome> {
    const guard = () => signal?.throwIfAborted();
    const path = resourcePath(API_VERSION, KIND, namespace, name);
    const found = await this.kube.get(path);
    if (!found) return {};
    const sd = asStreamDeployment(found);
    try {
      return await this.act(sd, guard);
    } catch (err) {
      // Conflicts are routine (a newer version exists: the next pass sees it); aborts are ours.
      if (signal?.aborted || (err instanceof WeirError && err.code === 'KUBE_CONFLICT')) throw err;
      const code = err instanceof WeirError ? err.code : 'ERROR';
      await this.events.record(sd, { type: 'Warning', reason: 'Error', message: `[${code}] ${errorMessage(err)}` }).catch((eventErr: unknown) => this.options.log?.(`could not record the Error event for ${namespace}/${name}: ${errorMessage(eventErr)}`));
      throw err;
    }
  }

  private async act(found: StreamDeployment, guard: () => void): Promise<ReconcileOutcome> {
    let sd = found;
    const { namespace, name } = sd.metadata;
    const path = resourcePath(API_VERSION, KIND, namespace, name);
    const names = childNames(name);
    // Exactly the objects the reconciler wants, so observing and building cannot disagree on what a child is.
    const children = (await Promise.all(desiredChildren(sd).map((d) => this.kube.get(objectPath(d))))).filter((o): o is KubeObject => o !== undefined);
    const jm = children.find((c) => c.kind === 'Deployment' && c.metadata.name === names.jobManager);
    const client = new JobManagerClient(this.options.jobManagerUrl(name, namespace));
    const facts: Facts = { sd, children, jobManager: readyReplicas(jm) > 0 ? await observeJob(client) : undefined, now: this.clock() };
    const plan = reconcile(facts, this.timing);

    guard();
    if (plan.finalizer === 'add') sd = asStreamDeployment(await this.kube.patch(path, { metadata: { finalizers: [...(sd.metadata.finalizers ?? []), FINALIZER], resourceVersion: sd.metadata.resourceVersion } }));
    guard();
    if (plan.recordTarget && !sameStatus(sd.status, plan.recordTarget)) sd = asStreamDeployment(await this.kube.replaceStatus(path, { ...sd, status: plan.recordTarget }));
    for (const desired of plan.apply) {
      guard();
      await this.applyChild(desired, children);
    }
    // Best effort: the cluster goes away with its owner anyway, so a JobManager that cannot be reached is only logged.
    if (plan.cancelJob) await client.cancel(plan.cancelJob).catch((err: unknown) => this.options.log?.(`cancel of job ${plan.cancelJob} in ${namespace}/${name} failed: ${errorMessage(err)}`));
    for (const e of plan.events) {
      guard();
      await this.events.record(sd, e);
    }
    guard();
    if (!sameStatus(sd.status, plan.status)) sd = asStreamDeployment(await this.kube.replaceStatus(path, { ...sd, status: plan.status }));
    if (plan.finalizer === 'remove') {
      await this.kube.patch(path, { metadata: { finalizers: (sd.metadata.finalizers ?? []).filter((f) => f !== FINALIZER), resourceVersion: sd.metadata.resourceVersion } });
      return {};
    }
    return { requeueAfterMs: plan.requeueAfterMs, lifecycleState: plan.status.lifecycleState };
  }

  private async applyChild(desired: KubeObject, observed: readonly KubeObject[]): Promise<void> {
    const current = observed.find((o) => o.kind === desired.kind && o.metadata.name === desired.metadata.name);
    if (!current) {
      await this.kube.create(resourcePath(desired.apiVersion, desired.kind, desired.metadata.namespace), desired);
      return;
    }
    const body: KubeObject = { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion } };
    if (desired.kind === 'Service') {
      // The cluster IP is allocated once and immutable.
      const spec = current.spec as { clusterIP?: string; clusterIPs?: string[] };
      body.spec = { ...(desired.spec as object), clusterIP: spec.clusterIP, clusterIPs: spec.clusterIPs };
    }
    await this.kube.replace(objectPath(desired), body);
  }
}

async function observeJob(client: JobManagerClient): Promise<JobObservation> {
  try {
    return { reachable: true, job: await client.currentJob() };
  } catch (err) {
    return { reachable: false, error: errorMessage(err) };
  }
}
