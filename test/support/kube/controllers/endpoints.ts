// The endpoints controller: each Service with a selector gets an Endpoints object listing
// the addresses of matching pods (ready ones in addresses, others in notReadyAddresses),
// and an EndpointSlice with the same endpoints.
import type { KubeApi } from '../api/api.ts';
import { present } from '../api/context.ts';
import { create, update } from '../api/write.ts';
import { matchesLabelSelector } from '../store/selectors.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord, jsonEqual } from '../types.ts';
import { reportControllerError } from './loop.ts';
import { syncEndpointSlice } from './endpointslices.ts';
import { podReady } from './replicasets.ts';

function address(pod: KubeObject): JsonObject {
  const status = isRecord(pod.status) ? pod.status : {};
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const out: JsonObject = { ip: status.podIP, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
  if (spec.nodeName) out.nodeName = spec.nodeName;
  return out;
}

function targetPort(port: JsonObject, pods: KubeObject[]): number {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  // A named target port resolves through the pods' container ports.
  for (const pod of pods) {
    const containers = isRecord(pod.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers : [];
    for (const c of containers) {
      const ports = isRecord(c) && Array.isArray(c.ports) ? c.ports : [];
      const hit = ports.find((p) => isRecord(p) && p.name === target);
      if (isRecord(hit) && typeof hit.containerPort === 'number') return hit.containerPort;
    }
  }
  return Number(port.port);
}

export function endpointsPass(api: KubeApi): void {
  const epType = api.type('v1', 'Endpoints');
  const services = api.store.list('/services');
  for (const svc of services) {
    try {
      const spec = isRecord(svc.spec) ? svc.spec : {};
      if (!isRecord(spec.selector)) continue;
      const ns = svc.metadata.namespace ?? '';
      const name = svc.metadata.name ?? '';
      const pods = api.store.list('/pods', ns).filter((p) => {
        const st = isRecord(p.status) ? p.status : {};
        return matchesLabelSelector({ matchLabels: spec.selector }, p.metadata.labels ?? {}) && typeof st.podIP === 'string' && !p.metadata.deletionTimestamp
          && st.phase !== 'Succeeded' && st.phase !== 'Failed';
      });
      const ready = pods.filter((p) => podReady(p) || spec.publishNotReadyAddresses === true);
      const notReady = pods.filter((p) => !ready.includes(p));
      const ports = (Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : []).map((p) => {
        const out: JsonObject = { port: targetPort(p, pods), protocol: p.protocol ?? 'TCP' };
        if (p.name) out.name = p.name;
        return out;
      });
      const subset: JsonObject = {};
      if (ready.length > 0) subset.addresses = ready.map(address);
      if (notReady.length > 0) subset.notReadyAddresses = notReady.map(address);
      if (ports.length > 0) subset.ports = ports;
      const subsets = pods.length > 0 ? [subset] : [];
      const existing = api.store.get('/endpoints', ns, name);
      const labels = svc.metadata.labels;
      if (!existing) {
        create(api.ctx, epType, ns, { metadata: { name, labels }, subsets });
      } else if (!jsonEqual(existing.subsets ?? [], subsets)) {
        update(api.ctx, epType, ns, name, { ...present(existing, epType), subsets });
      }
      syncEndpointSlice(api, svc, pods, ready, ports);
    } catch (err) {
      reportControllerError('endpoints', err);
    }
  }
  for (const ep of api.store.list('/endpoints')) {
    if (services.some((s) => s.metadata.name === ep.metadata.name && s.metadata.namespace === ep.metadata.namespace)) continue;
    api.store.remove('/endpoints', ep.metadata.namespace ?? '', ep.metadata.name ?? '');
  }
}
