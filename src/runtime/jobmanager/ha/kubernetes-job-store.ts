/**
 * The job's HA ConfigMap, `<cluster-id>-<jobId>-config-map`, fenced by the leader that owns
 * it. A new leader first claims the ConfigMap (a resourceVersion-conditioned write of its
 * identity in the `weir.dev/ha-leader` annotation) and only then reads the pointers; every
 * later write is conditioned on the resourceVersion just read and refused when the
 * annotation names another JobManager. So a deposed leader whose clock, timers or requests
 * ran late cannot record a checkpoint its successor will not restore from (its sinks would
 * then commit what the successor replays), nor delete its successor's data: checking
 * `isLeader()` alone leaves the time between the check and the write. The ConfigMap has no
 * ownerReference: it outlives the JobManager.
 */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { readPointers, withCompleted } from './checkpoint-pointers.ts';
import type { CheckpointPointer, RecoveredPointers } from './checkpoint-pointers.ts';
import { haLabels, jobConfigMapName } from './ha-config.ts';
import type { JobHaStore } from './ha-services.ts';
import type { JobResultRecord, JobResultStore } from './job-result-store.ts';

const CONFLICT_RETRIES = 5;
/** Which JobManager (its leader-election identity) owns the job's HA data. */
export const HA_LEADER_ANNOTATION = 'weir.dev/ha-leader';

export class KubernetesJobHaStore implements JobHaStore {
  readonly durable = true;
  private readonly api: CoreV1Api;
  private readonly name: string;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly clusterId: string,
    private readonly jobId: string,
    /** This JobManager's leader-election identity, written into the ConfigMap it owns. */
    private readonly identity: string,
    /** Whether this JobManager holds the cluster's lock right now. */
    private readonly isLeader: () => boolean,
    /** Where results of ended jobs go (none without high-availability.storageDir). */
    private readonly results?: JobResultStore,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.name = jobConfigMapName(clusterId, jobId);
  }

  /** Claims the ConfigMap for this leader, then returns what earlier leaders recorded. */
  async recover(): Promise<RecoveredPointers> {
    const claimed = await this.conditioned('claim the job ConfigMap', async (cm) => {
      if (cm) return this.api.replaceNamespacedConfigMap({ name: this.name, namespace: this.namespace, body: this.owned(cm) });
      const body: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.name, namespace: this.namespace, labels: haLabels(this.clusterId, this.jobId) }, data: {} };
      return this.api.createNamespacedConfigMap({ namespace: this.namespace, body: this.owned(body) });
    });
    return readPointers(claimed.data ?? {});
  }

  async recordCompleted(retained: readonly CheckpointPointer[], nextCheckpointId: number): Promise<void> {
    await this.conditioned('record checkpoint', (cm) => {
      const own = this.ownedOrRefuse(cm, 'record checkpoint');
      return this.api.replaceNamespacedConfigMap({ name: this.name, namespace: this.namespace, body: { ...own, data: withCompleted(own.data ?? {}, retained, nextCheckpointId) } });
    });
  }

  async discard(): Promise<void> {
    await this.conditioned('delete the job ConfigMap', async (cm) => {
      if (!cm) return undefined;
      const own = this.ownedOrRefuse(cm, 'delete the job ConfigMap');
      try {
        await this.api.deleteNamespacedConfigMap({ name: this.name, namespace: this.namespace, body: { preconditions: { resourceVersion: own.metadata?.resourceVersion } } });
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      }
      return undefined;
    });
  }

  async recordResult(record: JobResultRecord): Promise<void> {
    this.mustLead('record the job result');
    await this.results?.createDirty(record);
  }

  async markResultClean(): Promise<void> {
    await this.results?.markClean(this.jobId);
  }

  /** Reads, checks leadership, and writes; a conflict (someone wrote in between) reads again. */
  private async conditioned<T>(what: string, write: (cm: V1ConfigMap | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.mustLead(what);
      const cm = await this.read();
      this.mustLead(what);
      try {
        return await write(cm);
      } catch (err) {
        if (err instanceof WeirError) throw err;
        if (err instanceof ApiException && err.code === 409 && attempt < CONFLICT_RETRIES) continue;
        throw new WeirError('HA_WRITE_FAILED', `cannot ${what} (ConfigMap ${this.namespace}/${this.name}): ${errorMessage(err)}`, true, { cause: err });
      }
    }
  }

  private owned(cm: V1ConfigMap): V1ConfigMap {
    return { ...cm, metadata: { ...cm.metadata, annotations: { ...(cm.metadata?.annotations ?? {}), [HA_LEADER_ANNOTATION]: this.identity } } };
  }

  /** The ConfigMap if this leader owns it; a successor's claim (or its deletion) means this JobManager was deposed. */
  private ownedOrRefuse(cm: V1ConfigMap | undefined, what: string): V1ConfigMap {
    const owner = cm?.metadata?.annotations?.[HA_LEADER_ANNOTATION];
    if (cm && owner === this.identity) return cm;
    throw new WeirError('HA_NOT_LEADER', `this JobManager (${this.identity}) may not ${what}: ${cm ? `${owner ?? 'no JobManager'} owns` : 'there is no'} ConfigMap ${this.namespace}/${this.name}`, true);
  }

  private mustLead(what: string): void {
    if (!this.isLeader()) throw new WeirError('HA_NOT_LEADER', `this JobManager no longer leads cluster ${this.clusterId}, so it may not ${what}`, true);
  }

  private async read(): Promise<V1ConfigMap | undefined> {
    try {
      return await this.api.readNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw new WeirError('HA_WRITE_FAILED', `cannot read ConfigMap ${this.namespace}/${this.name}: ${errorMessage(err)}`, true, { cause: err });
    }
  }
}
