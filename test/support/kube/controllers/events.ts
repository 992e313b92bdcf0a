// Events the control plane and kubelet record (Scheduled, Started, BackOff, Killing,
// ScalingReplicaSet, ...), what `kubectl get events` and `kubectl describe` show. As
// client-go's recorder does, a repeat of the same event bumps the count of one Event, and a
// failure to record (a namespace being deleted refuses new objects) is dropped: events are
// best effort.
import { createHash } from 'node:crypto';
import type { KubeApi } from '../api/api.ts';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { nowTime } from '../types.ts';

export interface EventSource {
  component: string;
  host?: string;
}

export function recordEvent(api: KubeApi, involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
  const ns = involved.metadata.namespace || 'default';
  const key = createHash('sha256').update(JSON.stringify([involved.metadata.uid, type, reason, message, source.component, fieldPath])).digest('hex').slice(0, 16);
  const name = `${involved.metadata.name ?? ''}.${key}`;
  const now = nowTime();
  try {
    const existing = api.tryGet('v1', 'Event', ns, name);
    if (existing) {
      api.update({ ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: now });
      return;
    }
    const involvedObject: Record<string, unknown> = {
      apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: involved.metadata.namespace,
      uid: involved.metadata.uid, resourceVersion: involved.metadata.resourceVersion,
    };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    api.create({
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns },
      involvedObject, type, reason, message, source, reportingComponent: source.component, reportingInstance: source.host ?? '',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
}
