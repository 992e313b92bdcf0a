// The ReplicaSet controller: keeps spec.replicas live pods (owned, not terminating, not
// finished) and reports replicas, readyReplicas and availableReplicas in status.
import type { KubeApi } from '../api/api.ts';
import { present } from '../api/context.ts';
import { deleteObject } from '../api/delete.ts';
import { create, update } from '../api/write.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { matchesLabelSelector } from '../store/selectors.ts';
import { recordEvent } from './events.ts';
import { reportControllerError } from './loop.ts';

const REPLICASET_CONTROLLER = { component: 'replicaset-controller' };

export function podReady(pod: KubeObject): boolean {
  const status = isRecord(pod.status) ? pod.status : {};
  const conds = Array.isArray(status.conditions) ? status.conditions : [];
  return conds.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

export function podActive(pod: KubeObject): boolean {
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function ownedBy(obj: KubeObject, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === owner.metadata.uid);
}

export function controllerRef(owner: KubeObject): JsonObject {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function replicaSetPass(api: KubeApi): void {
  const rsType = api.type('apps/v1', 'ReplicaSet');
  const podType = api.type('v1', 'Pod');
  for (const stored of api.store.list('apps/replicasets')) {
    try {
      const rs = present(stored, rsType);
      const ns = rs.metadata.namespace ?? '';
      const spec = isRecord(rs.spec) ? rs.spec : {};
      const template = isRecord(spec.template) ? spec.template : {};
      const tmeta = isRecord(template.metadata) ? template.metadata : {};
      const pods = api.store.list('/pods', ns).filter((p) => ownedBy(p, rs));
      const active = pods.filter(podActive);
      const want = rs.metadata.deletionTimestamp ? 0 : Number(spec.replicas ?? 1);
      for (let i = active.length; i < want; i++) {
        const pod = create(api.ctx, podType, ns, {
          metadata: {
            generateName: `${rs.metadata.name ?? ''}-`, labels: tmeta.labels, annotations: tmeta.annotations,
            ownerReferences: [controllerRef(rs)],
          },
          spec: template.spec,
        });
        recordEvent(api, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`, REPLICASET_CONTROLLER);
      }
      if (active.length > want) {
        // Not-ready and newest pods go first, as the real controller prefers.
        const victims = [...active].sort((a, b) => Number(podReady(a)) - Number(podReady(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
        for (const p of victims.slice(0, active.length - want)) {
          deleteObject(api.ctx, podType, ns, p.metadata.name ?? '');
          recordEvent(api, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`, REPLICASET_CONTROLLER);
        }
      }
      const live = api.store.list('/pods', ns).filter((p) => ownedBy(p, rs) && podActive(p));
      const ready = live.filter(podReady).length;
      const status: JsonObject = {
        replicas: live.length,
        fullyLabeledReplicas: live.filter((p) => matchesLabelSelector(spec.selector, p.metadata.labels ?? {})).length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation,
      };
      // Zero counts are omitted (omitempty), except replicas.
      for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
      const latest = present(api.store.get('apps/replicasets', ns, rs.metadata.name ?? '') ?? stored, rsType);
      update(api.ctx, rsType, ns, rs.metadata.name ?? '', { ...latest, status }, { subresource: 'status' });
    } catch (err) {
      reportControllerError('replicaset', err);
    }
  }
}
