/**
 * The job's HA ConfigMap, `<cluster-id>-<jobId>-config-map`. Every write is a replace
 * conditioned on the resourceVersion just read (a conflict is read again and retried), and
 * is made only while this JobManager leads, so a deposed leader cannot overwrite its
 * successor's pointers. The ConfigMap has no ownerReference: it outlives the JobManager.
 */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { readPointers, withCompleted } from './checkpoint-pointers.ts';
import type { CheckpointPointer, RecoveredPointers } from './checkpoint-pointers.ts';
import { haLabels, jobConfigMapName } from './ha-config.ts';
import type { JobHaStore } from './ha-services.ts';

const CONFLICT_RETRIES = 5;

export class KubernetesJobHaStore implements JobHaStore {
  readonly durable = true;
  private readonly api: CoreV1Api;
  private readonly name: string;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly clusterId: string,
    private readonly jobId: string,
    /** Whether this JobManager holds the cluster's lock right now. */
    private readonly isLeader: () => boolean,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.name = jobConfigMapName(clusterId, jobId);
  }

  async recover(): Promise<RecoveredPointers> {
    const cm = await this.read();
    return readPointers(cm?.data ?? {});
  }

  async recordCompleted(retained: readonly CheckpointPointer[], nextCheckpointId: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.mustLead('record checkpoint');
      const cm = await this.read();
      const data = withCompleted(cm?.data ?? {}, retained, nextCheckpointId);
      try {
        if (cm) await this.api.replaceNamespacedConfigMap({ name: this.name, namespace: this.namespace, body: { ...cm, data } });
        else await this.api.createNamespacedConfigMap({ namespace: this.namespace, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.name, namespace: this.namespace, labels: haLabels(this.clusterId, this.jobId) }, data } });
        return;
      } catch (err) {
        if (err instanceof ApiException && err.code === 409 && attempt < CONFLICT_RETRIES) continue;
        throw new WeirError('HA_WRITE_FAILED', `cannot record the checkpoint in ConfigMap ${this.namespace}/${this.name}: ${errorMessage(err)}`, true, { cause: err });
      }
    }
  }

  async discard(): Promise<void> {
    this.mustLead('delete the job ConfigMap');
    try {
      await this.api.deleteNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return;
      throw new WeirError('HA_WRITE_FAILED', `cannot delete ConfigMap ${this.namespace}/${this.name}: ${errorMessage(err)}`, true, { cause: err });
    }
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
