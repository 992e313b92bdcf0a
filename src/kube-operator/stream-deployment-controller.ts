/**
 * The StreamDeployment controller: informers on StreamDeployments and on the Deployments
 * they own feed a rate-limited work queue; workers reconcile one key at a time through the
 * PlanExecutor. It runs only while this replica leads; stop() ends all work at once.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { WeirError, errorMessage } from '../errors/index.ts';
import { Informer } from './controller/informer.ts';
import { WorkQueue } from './controller/work-queue.ts';
import { runWorkers } from './controller/run-workers.ts';
import { API_VERSION, KIND } from './crd/stream-deployment-crd.ts';
import type { StreamDeploymentStatus } from './crd/stream-deployment-schema.ts';
import { KubeClient } from './kube/kube-client.ts';
import type { KubeObject } from './kube/kube-object.ts';
import { resourcePath } from './kube/kube-object.ts';
import { EventRecorder } from './kube/event-recorder.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import { PlanExecutor } from './reconciler/plan-executor.ts';
import { PAUSE_ANNOTATION } from './reconciler/reconcile.ts';
import type { ReconcileTiming } from './reconciler/reconcile.ts';
import { disposeSavepoint } from './storage/savepoint-disposer.ts';
import { jobManagerServiceUrl } from './children/names.ts';
import { HttpJobManagerApi } from './jobmanager/http-jobmanager-api.ts';
import type { JobManagerApiFactory } from './jobmanager/jobmanager-api.ts';

export interface ControllerOptions {
  kc: KubeConfig;
  /** Namespaces to watch; empty means all. */
  namespaces: readonly string[];
  identity: string;
  workers?: number;
  timing?: ReconcileTiming;
  /** Re-reconcile everything this often even without changes (default 5 minutes). */
  resyncPeriodMs?: number;
  /** How to reach a deployment's JobManager; defaults to HTTP to its Service. */
  jobManagerApi?: JobManagerApiFactory;
  /** Whether this replica may still act (it holds the lease); checked before every reconcile. */
  stillLeading?: () => boolean;
  log: (line: string) => void;
}

type Watched = KubeObject & { status?: StreamDeploymentStatus };

export class StreamDeploymentController {
  readonly queue = new WorkQueue<string>();
  private readonly informers: Informer<Watched>[] = [];
  private readonly sdInformers: Informer<Watched>[] = [];
  private readonly executor: PlanExecutor;
  private readonly abort = new AbortController();
  private workers: Promise<void> | undefined;

  constructor(
    private readonly o: ControllerOptions,
    private readonly metrics?: OperatorMetrics,
  ) {
    const kube = new KubeClient(o.kc);
    const jobManagerApi = o.jobManagerApi ?? ((name, namespace) => new HttpJobManagerApi(jobManagerServiceUrl(name, namespace)));
    this.executor = new PlanExecutor(kube, new EventRecorder(kube, o.identity), { jobManagerApi, timing: o.timing, disposeSavepoint, log: o.log, autoscalerMetrics: metrics?.autoscaler });
    const scopes = o.namespaces.length > 0 ? [...o.namespaces] : [undefined];
    const onError = (err: unknown) => o.log(`watch: ${errorMessage(err)}`);
    for (const ns of scopes) {
      const sds = new Informer<Watched>(o.kc, { path: resourcePath(API_VERSION, KIND, ns), resyncPeriodMs: o.resyncPeriodMs ?? 300_000, onError });
      sds.addHandlers({
        add: (sd) => this.enqueue(sd),
        // Our own status writes come back as updates: only spec and metadata changes (and resyncs) need a pass.
        update: (old, sd) => {
          const paused = (o: Watched) => o.metadata.annotations?.[PAUSE_ANNOTATION];
          if (
            old === sd ||
            old.metadata.generation !== sd.metadata.generation ||
            old.metadata.deletionTimestamp !== sd.metadata.deletionTimestamp ||
            old.metadata.finalizers?.length !== sd.metadata.finalizers?.length ||
            paused(old) !== paused(sd)
          )
            this.enqueue(sd);
        },
        delete: (sd) => this.enqueue(sd),
      });
      const deployments = new Informer<Watched>(o.kc, { path: resourcePath('apps/v1', 'Deployment', ns), labelSelector: 'app.kubernetes.io/managed-by=weir-operator', onError });
      const toOwner = (d: Watched) => {
        const owner = d.metadata.ownerReferences?.find((r) => r.kind === KIND && r.apiVersion === API_VERSION);
        if (owner && d.metadata.namespace) this.queue.add(`${d.metadata.namespace}/${owner.name}`);
      };
      deployments.addHandlers({ add: toOwner, update: (_old, d) => toOwner(d), delete: toOwner });
      this.sdInformers.push(sds);
      this.informers.push(sds, deployments);
    }
  }

  private enqueue(sd: KubeObject): void {
    this.queue.add(`${sd.metadata.namespace}/${sd.metadata.name}`);
  }

  get synced(): boolean {
    return this.informers.every((i) => i.hasSynced);
  }

  /** Lifecycle states of every cached StreamDeployment (for metrics). */
  *lifecycleStates(): Iterable<string | undefined> {
    for (const i of this.sdInformers) for (const sd of i.list()) yield sd.status?.lifecycleState;
  }

  start(): void {
    for (const i of this.informers) i.start();
    this.workers = runWorkers(this.queue, this.o.workers ?? 8, (key) => this.reconcile(key), (key, err, retried) => {
      if (this.abort.signal.aborted) return; // stopping: the abort itself is the expected failure
      const code = err instanceof WeirError ? err.code : 'ERROR';
      this.metrics?.reconcileErrors.inc({ code });
      this.o.log(`reconcile ${key} failed [${code}]: ${errorMessage(err)}; ${retried ? 'retrying with backoff' : 'not retried: the next change of the StreamDeployment or its Deployments reconciles it again'}`);
    });
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    const [namespace, name] = key.split('/') as [string, string];
    if (this.o.stillLeading && !this.o.stillLeading()) {
      const stopped = new WeirError('CONTROLLER_STOPPED', 'the controller stopped: the renew deadline of the lease passed', false);
      this.abort.abort(stopped);
      throw stopped;
    }
    const end = this.metrics?.reconcileDuration.startTimer();
    try {
      const outcome = await this.executor.reconcile(namespace, name, this.abort.signal);
      this.metrics?.reconciles.inc({ result: 'success' });
      return { requeueAfterMs: outcome.requeueAfterMs };
    } catch (err) {
      this.metrics?.reconciles.inc({ result: 'error' });
      throw err;
    } finally {
      end?.();
    }
  }

  /** Stops at once: no reconcile writes anything after this is called. */
  async stop(): Promise<void> {
    this.abort.abort(new WeirError('CONTROLLER_STOPPED', 'the controller stopped (leadership lost or shutdown)', false));
    this.queue.shutDown();
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.workers;
    await this.executor.close();
  }
}
