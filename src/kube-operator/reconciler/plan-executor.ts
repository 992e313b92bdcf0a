/**
 * One reconcile pass of a StreamDeployment: observe (children read live, not from a cache,
 * so a plan never acts on a stale view; the job through the JobManagerApi), decide with the
 * pure `reconcile`, and hand the plan to the interpreter. A failure other than a conflict
 * becomes an Error event on the StreamDeployment before it goes to the work queue.
 */
import { API_VERSION, KIND, asStreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import { childNames, labelSelectorString, selectorLabels } from '../children/names.ts';
import { desiredChildren } from '../children/desired-children.ts';
import type { JobManagerApi, JobManagerApiFactory } from '../jobmanager/jobmanager-api.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { objectPath, resourcePath } from '../kube/kube-object.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { Facts, HaMetadata, JobObservation, SnapshotOutcome } from './facts.ts';
import { operatorSettings } from './operator-settings.ts';
import { DEFAULT_TIMING, reconcile } from './reconcile.ts';
import type { ReconcileTiming } from './reconcile.ts';
import { readyReplicas } from './rollout.ts';
import { performActions } from './perform-actions.ts';
import { everyTaskRuns } from './job-status.ts';
import { resolveAutoscalerConfig } from '../autoscaler/autoscaler-config.ts';
import type { AutoscalerMetrics } from '../autoscaler/autoscaler-metrics.ts';
import { SampleStore } from '../autoscaler/sample-store.ts';
import type { VertexObservation } from '../autoscaler/scaling-inputs.ts';
import { SourceLagReaders } from '../autoscaler/source-lag-readers.ts';
import type { KafkaSourceLagOptions } from '../autoscaler/kafka-source-lag.ts';
import type { SourceLagCollector } from '../autoscaler/source-lag.ts';
import type { KubeWrites, SavepointDisposer } from './perform-actions.ts';

export interface ExecutorOptions {
  /** How the operator reaches a deployment's JobManager (in-cluster: over HTTP to its Service). */
  jobManagerApi: JobManagerApiFactory;
  timing?: ReconcileTiming;
  /** Deletes savepoints that left the history (default: none, the disposal is logged as skipped). */
  disposeSavepoint?: SavepointDisposer;
  clock?: () => Date;
  log?: (line: string) => void;
  /** Where the autoscaler's current and recommended parallelism are exported. */
  autoscalerMetrics?: AutoscalerMetrics;
  /** How the autoscaler reads a Kafka source's lag (default: kafkajs' admin client at the servers the source names). */
  sourceLag?: (options: KafkaSourceLagOptions) => SourceLagCollector;
}

/** The Kubernetes calls of a pass: reads to observe, writes to act. */
export type KubeAccess = Pick<KubeClient, 'get' | 'list'> & KubeWrites;

export interface ReconcileOutcome {
  requeueAfterMs?: number;
  /** Lifecycle state after this pass, or undefined when the resource is gone. */
  lifecycleState?: string;
}

export class PlanExecutor {
  private readonly timing: ReconcileTiming;
  private readonly clock: () => Date;
  /** The autoscaler's samples per StreamDeployment, and the job they were taken from. */
  private readonly samples = new SampleStore();
  private readonly sampledJob = new Map<string, string>();
  private readonly lagReaders: SourceLagReaders;

  constructor(
    private readonly kube: KubeAccess,
    private readonly events: Pick<EventRecorder, 'record'>,
    private readonly options: ExecutorOptions,
  ) {
    this.timing = options.timing ?? DEFAULT_TIMING;
    this.clock = options.clock ?? (() => new Date());
    this.lagReaders = new SourceLagReaders(options.log, options.sourceLag);
  }

  /** Closes the autoscaler's connections to Kafka. */
  close(): Promise<void> {
    return this.lagReaders.closeAll();
  }

  /** `signal` aborts before every action, so a replica that lost its lease stops changing things at once. */
  async reconcile(namespace: string, name: string, signal?: AbortSignal): Promise<ReconcileOutcome> {
    const found = await this.kube.get(resourcePath(API_VERSION, KIND, namespace, name));
    if (!found) return {};
    const sd = asStreamDeployment(found);
    try {
      return await this.pass(sd, () => signal?.throwIfAborted());
    } catch (err) {
      // Conflicts are routine (a newer version exists: the next pass sees it); aborts are ours.
      if (signal?.aborted || (err instanceof WeirError && err.code === 'KUBE_CONFLICT')) throw err;
      const code = err instanceof WeirError ? err.code : 'ERROR';
      await this.events.record(sd, { type: 'Warning', reason: 'Error', message: `[${code}] ${errorMessage(err)}` }).catch((eventErr: unknown) => this.options.log?.(`could not record the Error event for ${namespace}/${name}: ${errorMessage(eventErr)}`));
      throw err;
    }
  }

  private async pass(sd: StreamDeployment, guard: () => void): Promise<ReconcileOutcome> {
    const jobManager = this.options.jobManagerApi(sd.metadata.name, sd.metadata.namespace);
    const facts = await observe(this.kube, jobManager, sd, this.clock());
    const autoscaler = await this.autoscalerSamples(sd, facts, jobManager);
    const plan = reconcile(autoscaler ? { ...facts, autoscaler } : facts, this.timing);
    const result = await performActions(sd, plan, { kube: this.kube, events: this.events, jobManager, disposeSavepoint: this.options.disposeSavepoint, log: this.options.log, guard });
    const key = `${sd.metadata.namespace}/${sd.metadata.name}`;
    const decided = result.released ? undefined : result.sd.spec.autoscaler?.enabled ? result.sd.status?.autoscaler?.vertices : undefined;
    if (decided) this.options.autoscalerMetrics?.record(sd.metadata.namespace ?? '', sd.metadata.name, decided);
    else this.options.autoscalerMetrics?.forget(sd.metadata.namespace ?? '', sd.metadata.name);
    if (result.released) {
      this.samples.forget(key);
      this.sampledJob.delete(key);
      await this.lagReaders.forget(key);
      return {};
    }
    return { requeueAfterMs: result.requeueAfterMs, lifecycleState: result.sd.status?.lifecycleState };
  }

  /**
   * One collection for an enabled autoscaler while its job runs every task, added to the
   * samples of that job; undefined otherwise (and the samples go: a new job starts afresh).
   * A failed collection is logged and leaves this pass without a decision.
   */
  private async autoscalerSamples(sd: StreamDeployment, facts: Facts, api: JobManagerApi): Promise<readonly VertexObservation[] | undefined> {
    const key = `${sd.metadata.namespace}/${sd.metadata.name}`;
    const job = facts.jobManager?.reachable ? facts.jobManager.job : undefined;
    if (!sd.spec.autoscaler?.enabled || !api.vertexMetrics || !job || job.state !== 'RUNNING' || !everyTaskRuns(job)) {
      this.samples.forget(key);
      this.sampledJob.delete(key);
      await this.lagReaders.forget(key);
      return undefined;
    }
    if (this.sampledJob.get(key) !== job.id) this.samples.forget(key);
    this.sampledJob.set(key, job.id);
    try {
      const windowMs = resolveAutoscalerConfig(sd.spec.autoscaler).metricsWindowMs;
      const vertices = await api.vertexMetrics(job.id);
      return this.samples.add(key, vertices, await this.lagReaders.lagOf(key, vertices), windowMs);
    } catch (err) {
      this.options.log?.(`autoscaler: no metrics for ${key} this pass: ${errorMessage(err)}`);
      return undefined;
    }
  }
}

/**
 * The facts of one pass. The JobManager is asked only once its pod is ready; until then its
 * pods are read, so a crash loop is told from a slow start.
 */
export async function observe(kube: Pick<KubeClient, 'get' | 'list'>, jobManager: JobManagerApi, sd: StreamDeployment, now: Date): Promise<Facts> {
  // Exactly the objects the reconciler wants, so observing and building cannot disagree on what a child is.
  const children = (await Promise.all(desiredChildren(sd).map((d) => kube.get(objectPath(d))))).filter((o): o is KubeObject => o !== undefined);
  const settings = operatorSettings(sd.spec, sd.metadata.name);
  const ha = settings.haEnabled ? await observeHa(kube, sd.metadata.namespace, settings.clusterId) : undefined;
  const jm = children.find((c) => c.kind === 'Deployment' && c.metadata.name === childNames(sd.metadata.name).jobManager);
  if (jm === undefined) return { sd, children, jobManager: undefined, ha, now };
  if (readyReplicas(jm) > 0) {
    const [job, snapshot] = await Promise.all([observeJob(jobManager), observeSnapshot(jobManager, sd)]);
    return { sd, children, jobManager: job, snapshot, ha, now };
  }
  const pods = await kube.list(resourcePath('v1', 'Pod', sd.metadata.namespace), labelSelectorString(selectorLabels(sd.metadata.name, 'jobmanager')));
  return { sd, children, jobManager: undefined, jobManagerPods: pods.items, ha, now };
}

const CHECKPOINT_POINTER = /^checkpointID-\d{19}$/;

/** The job ConfigMaps of the JobManager's HA (`<cluster-id>-<jobId>-config-map`; not the leader's `<cluster-id>-cluster-config-map`). */
async function observeHa(kube: Pick<KubeClient, 'list'>, namespace: string, clusterId: string): Promise<HaMetadata> {
  const { items } = await kube.list(resourcePath('v1', 'ConfigMap', namespace));
  const jobMaps = items.filter((c) => {
    const name = c.metadata.name;
    return name.startsWith(`${clusterId}-`) && name.endsWith('-config-map') && name !== `${clusterId}-cluster-config-map`;
  });
  return {
    configMaps: jobMaps.map((c) => c.metadata.name).sort(),
    hasCheckpoint: jobMaps.some((c) => Object.keys((c as KubeObject & { data?: Record<string, string> }).data ?? {}).some((k) => CHECKPOINT_POINTER.test(k))),
  };
}

/** The outcome of the trigger status holds: an upgrade's stop-with-savepoint, or a pending snapshot. */
async function observeSnapshot(api: JobManagerApi, sd: StreamDeployment): Promise<SnapshotOutcome | undefined> {
  const upgrade = sd.status?.reconciliation?.upgrade;
  const pending = sd.status?.savepoints?.pendingTrigger;
  const asked =
    upgrade?.step === 'SAVEPOINTING' && upgrade.triggerId && upgrade.jobId
      ? { kind: 'savepoint' as const, jobId: upgrade.jobId, triggerId: upgrade.triggerId }
      : pending?.triggerId && pending.jobId && pending.kind
        ? { kind: pending.kind, jobId: pending.jobId, triggerId: pending.triggerId }
        : undefined;
  if (!asked) return undefined;
  try {
    return await api.snapshotStatus(asked.jobId, asked.kind, asked.triggerId);
  } catch {
    // Unanswered is a fact too: the reconciler waits, as for IN_PROGRESS.
    return undefined;
  }
}

async function observeJob(api: JobManagerApi): Promise<JobObservation> {
  try {
    return { reachable: true, job: await api.currentJob() };
  } catch (err) {
    return { reachable: false, error: errorMessage(err) };
  }
}
