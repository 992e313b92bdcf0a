/**
 * Writes core/v1 Events about a StreamDeployment. Repeats of the same reason and message
 * bump the count of one Event instead of adding new ones, as client-go's recorder does.
 */
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import { stableHash } from '../children/stable-hash.ts';
import type { EventSpec } from '../reconciler/facts.ts';
import { KubeApiError } from './kube-client.ts';
import type { KubeClient } from './kube-client.ts';
import { kubeTime, resourcePath } from './kube-object.ts';

export class EventRecorder {
  constructor(
    private readonly kube: KubeClient,
    private readonly instance: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async record(sd: StreamDeployment, e: EventSpec): Promise<void> {
    const { namespace, name, uid } = sd.metadata;
    const eventName = `${name}.${stableHash([uid, e.type, e.reason, e.message])}`;
    const now = kubeTime(this.clock());
    const collection = resourcePath('v1', 'Event', namespace);
    try {
      await this.kube.create(collection, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: eventName, namespace },
        involvedObject: { apiVersion: sd.apiVersion, kind: sd.kind, name, namespace, uid },
        type: e.type,
        reason: e.reason,
        message: e.message,
        source: { component: 'weir-operator' },
        reportingComponent: 'weir-operator',
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
      const existing = await this.kube.get(`${collection}/${eventName}`);
      const count = typeof existing?.count === 'number' ? existing.count : 1;
      await this.kube.patch(`${collection}/${eventName}`, { count: count + 1, lastTimestamp: now });
    }
  }
}
