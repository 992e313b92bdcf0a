// The EndpointSlice half of the endpoints controller: one IPv4 slice per Service, labelled
// with kubernetes.io/service-name and owned by the Service (so it goes with it).
import type { KubeApi } from '../api/api.ts';
import { present } from '../api/context.ts';
import { create, update } from '../api/write.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord, jsonEqual } from '../types.ts';
import { controllerRef } from './replicasets.ts';

export function syncEndpointSlice(api: KubeApi, svc: KubeObject, pods: KubeObject[], ready: KubeObject[], ports: JsonObject[]): void {
  const sliceType = api.type('discovery.k8s.io/v1', 'EndpointSlice');
  const ns = svc.metadata.namespace ?? '';
  const name = svc.metadata.name ?? '';
  const endpoints = pods.map((p) => {
    const status = isRecord(p.status) ? p.status : {};
    const spec = isRecord(p.spec) ? p.spec : {};
    const ok = ready.includes(p);
    const e: JsonObject = {
      addresses: [status.podIP],
      conditions: { ready: ok, serving: ok, terminating: false },
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    };
    if (spec.nodeName) e.nodeName = spec.nodeName;
    return e;
  });
  const existing = api.store.list('discovery.k8s.io/endpointslices', ns).find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
  if (!existing) {
    create(api.ctx, sliceType, ns, {
      metadata: {
        generateName: `${name}-`,
        labels: { ...(svc.metadata.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ ...controllerRef({ ...svc, apiVersion: 'v1', kind: 'Service' }) }],
      },
      addressType: 'IPv4',
      endpoints,
      ports,
    });
  } else if (!jsonEqual(existing.endpoints ?? [], endpoints) || !jsonEqual(existing.ports ?? [], ports)) {
    update(api.ctx, sliceType, ns, existing.metadata.name ?? '', { ...present(existing, sliceType), endpoints, ports });
  }
}
