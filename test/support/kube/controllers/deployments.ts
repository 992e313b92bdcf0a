// The Deployment controller: one ReplicaSet per pod template (named by its hash), the new
// one scaled to spec.replicas and old ones scaled to zero (for Recreate first, waiting for
// the old pods to be gone; for RollingUpdate once the new pods are ready), paused
// Deployments and Deployments being deleted left alone, old ReplicaSets pruned to
// revisionHistoryLimit, and status aggregated from the ReplicaSets.
import { createHash } from 'node:crypto';
import type { KubeApi } from '../api/api.ts';
import { present } from '../api/context.ts';
import { deleteObject } from '../api/delete.ts';
import { create, update } from '../api/write.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { clone, isRecord, jsonEqual, nowTime } from '../types.ts';
import { recordEvent } from './events.ts';
import { reportControllerError } from './loop.ts';
import { controllerRef, ownedBy } from './replicasets.ts';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A zero value of Go's types: absent, null, {} or []; the real controller hashes Go structs, which cannot tell them apart. */
function zero(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.values(v).every(zero));
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).filter((k) => !zero(v[k])).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** A pod-template-hash in the style of the real one (safe-encoded, about 10 characters). */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(stable(template)).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE[digest[i]! % SAFE.length];
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function rsStatus(rs: KubeObject): JsonObject {
  return isRecord(rs.status) ? rs.status : {};
}

function condition(prev: unknown[], type: string, status: string, reason: string, message: string): JsonObject {
  const old = prev.find((c) => isRecord(c) && c.type === type) as JsonObject | undefined;
  const now = nowTime();
  if (old && old.status === status && old.reason === reason) return old;
  return { type, status, lastUpdateTime: now, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, reason, message };
}

const DEPLOYMENT_CONTROLLER = { component: 'deployment-controller' };

/** Scales a ReplicaSet, with the ScalingReplicaSet event on its Deployment. */
function setReplicas(api: KubeApi, d: KubeObject, rs: KubeObject, replicas: number): void {
  const from = isRecord(rs.spec) ? num(rs.spec.replicas) : 0;
  if (isRecord(rs.spec) && rs.spec.replicas === replicas) return;
  const rsType = api.type('apps/v1', 'ReplicaSet');
  const next = present(rs, rsType);
  next.spec = { ...(isRecord(next.spec) ? next.spec : {}), replicas };
  update(api.ctx, rsType, rs.metadata.namespace ?? '', rs.metadata.name ?? '', next);
  const direction = replicas > from ? 'up' : 'down';
  recordEvent(api, d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name ?? ''} from ${from} to ${replicas}`, DEPLOYMENT_CONTROLLER);
}

function podPhaseActive(pod: KubeObject): boolean {
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Deletes scaled-down old ReplicaSets beyond revisionHistoryLimit, oldest first. */
function pruneHistory(api: KubeApi, olds: KubeObject[], limit: number): void {
  const idle = olds
    .filter((rs) => isRecord(rs.spec) && rs.spec.replicas === 0 && num(rsStatus(rs).replicas) === 0)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
    deleteObject(api.ctx, api.type('apps/v1', 'ReplicaSet'), rs.metadata.namespace ?? '', rs.metadata.name ?? '');
  }
}

/** An int-or-percent of `total`, rounded up (maxSurge) or down (maxUnavailable). */
function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function specReplicas(rs: KubeObject): number {
  return isRecord(rs.spec) ? num(rs.spec.replicas) : 0;
}

/**
 * One step of a rolling update, as the real controller takes it: grow the new ReplicaSet
 * while all pods stay within replicas + maxSurge, shrink old ones while available pods stay
 * at least replicas - maxUnavailable. Later steps follow as pods become ready.
 */
function rollingUpdate(api: KubeApi, d: KubeObject, spec: JsonObject, desired: number, current: KubeObject, olds: KubeObject[]): void {
  const ru = isRecord(spec.strategy) && isRecord(spec.strategy.rollingUpdate) ? spec.strategy.rollingUpdate : {};
  const surge = intOrPercent(ru.maxSurge ?? '25%', desired, true);
  let unavailable = intOrPercent(ru.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  const total = specReplicas(current) + olds.reduce((n, rs) => n + specReplicas(rs), 0);
  if (specReplicas(current) > desired) setReplicas(api, d, current, desired);
  else if (total < desired + surge) setReplicas(api, d, current, Math.min(desired, specReplicas(current) + desired + surge - total));
  const available = [current, ...olds].reduce((n, rs) => n + num(rsStatus(rs).availableReplicas), 0);
  let canDrop = available - (desired - unavailable);
  // Old pods that are not available cost nothing to remove.
  for (const rs of olds) {
    const drop = Math.min(specReplicas(rs), Math.max(0, specReplicas(rs) - num(rsStatus(rs).availableReplicas)) + Math.max(0, canDrop));
    if (drop <= 0) continue;
    canDrop -= Math.max(0, drop - Math.max(0, specReplicas(rs) - num(rsStatus(rs).availableReplicas)));
    setReplicas(api, d, rs, specReplicas(rs) - drop);
  }
}

function reconcile(api: KubeApi, d: KubeObject): void {
  const rsType = api.type('apps/v1', 'ReplicaSet');
  const ns = d.metadata.namespace ?? '';
  const spec = isRecord(d.spec) ? d.spec : {};
  const template = isRecord(spec.template) ? clone(spec.template) : {};
  const hash = templateHash(template);
  const owned = api.store.list('apps/replicasets', ns).filter((rs) => ownedBy(rs, d)).map((rs) => present(rs, rsType));
  let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  const desired = num(spec.replicas ?? 1);
  const olds = owned.filter((rs) => rs !== current);
  // Like the real controller, a Deployment being deleted only has its status synced: no new ReplicaSet
  // (foreground deletion removes the old ones first, and one re-created would never let it finish).
  const deleting = d.metadata.deletionTimestamp !== undefined;
  const recreate = isRecord(spec.strategy) && spec.strategy.type === 'Recreate';
  // Recreate waits until old pods are gone, terminating ones included, so two generations never run together.
  const oldPodsLeft = api.store.list('/pods', ns).some((p) => olds.some((rs) => ownedBy(p, rs)) && podPhaseActive(p));
  if (!current && spec.paused !== true && !deleting) {
    const tmeta = isRecord(template.metadata) ? template.metadata : {};
    const labels = { ...(isRecord(tmeta.labels) ? tmeta.labels : {}), 'pod-template-hash': hash };
    const selector = isRecord(spec.selector) ? clone(spec.selector) : {};
    selector.matchLabels = { ...(isRecord(selector.matchLabels) ? selector.matchLabels : {}), 'pod-template-hash': hash };
    const revision = 1 + Math.max(0, ...owned.map(revisionOf));
    current = create(api.ctx, rsType, ns, {
      metadata: {
        name: `${d.metadata.name ?? ''}-${hash}`, labels, ownerReferences: [controllerRef(d)],
        annotations: { [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(desired) },
      },
      // With old pods around, the strategy decides how fast the new ReplicaSet grows.
      spec: { replicas: oldPodsLeft || olds.some((o) => specReplicas(o) > 0) ? 0 : desired, selector, template: { ...template, metadata: { ...tmeta, labels } } },
    });
    const initial = specReplicas(current);
    if (initial > 0) recordEvent(api, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${current.metadata.name ?? ''} from 0 to ${initial}`, DEPLOYMENT_CONTROLLER);
  }
  if (!current) return;
  if (!deleting) current = syncRevision(api, d, current, olds);
  if (spec.paused !== true && !deleting) {
    if (recreate) {
      for (const rs of olds) setReplicas(api, d, rs, 0);
      if (!oldPodsLeft) setReplicas(api, d, current, desired);
    } else {
      rollingUpdate(api, d, spec, desired, current, olds);
    }
    pruneHistory(api, olds, num(spec.revisionHistoryLimit ?? 10));
  }
  const all = [current, ...olds].map((rs) => api.store.get('apps/replicasets', ns, rs.metadata.name ?? '') ?? rs);
  const sum = (f: string): number => all.reduce((n, rs) => n + num(rsStatus(rs)[f]), 0);
  const updated = num(rsStatus(all[0]!).replicas);
  const available = sum('availableReplicas');
  const prevStatus = isRecord(d.status) ? d.status : {};
  const prevConds = Array.isArray(prevStatus.conditions) ? prevStatus.conditions : [];
  const complete = updated === desired && available >= desired && sum('replicas') === desired;
  const status: JsonObject = {
    observedGeneration: d.metadata.generation,
    replicas: sum('replicas'),
    updatedReplicas: updated,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    conditions: [
      available >= desired
        ? condition(prevConds, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : condition(prevConds, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      complete
        ? condition(prevConds, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${current.metadata.name ?? ''}" has successfully progressed.`)
        : condition(prevConds, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${current.metadata.name ?? ''}" is progressing.`),
    ],
  };
  if (desired - available > 0) status.unavailableReplicas = desired - available;
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
  if (jsonEqual(status, prevStatus)) return;
  const latest = present(api.store.get('apps/deployments', ns, d.metadata.name ?? '') ?? d, api.type('apps/v1', 'Deployment'));
  update(api.ctx, api.type('apps/v1', 'Deployment'), ns, d.metadata.name ?? '', { ...latest, status }, { subresource: 'status' });
}

const REVISION = 'deployment.kubernetes.io/revision';

function revisionOf(o: KubeObject): number {
  return Number(o.metadata.annotations?.[REVISION] ?? 0);
}

/**
 * The current ReplicaSet's revision is the newest (a rollback to an old template takes its
 * ReplicaSet back with the next revision), and the Deployment carries it, as `kubectl rollout
 * history` and `rollout undo` expect.
 */
function syncRevision(api: KubeApi, d: KubeObject, current: KubeObject, olds: KubeObject[]): KubeObject {
  const ns = d.metadata.namespace ?? '';
  const newest = Math.max(0, ...olds.map(revisionOf));
  let rs = current;
  if (revisionOf(rs) <= newest) {
    const next = present(rs, api.type('apps/v1', 'ReplicaSet'));
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(newest + 1) };
    rs = update(api.ctx, api.type('apps/v1', 'ReplicaSet'), ns, rs.metadata.name ?? '', next);
  }
  const revision = String(revisionOf(rs));
  if (d.metadata.annotations?.[REVISION] !== revision) {
    const dType = api.type('apps/v1', 'Deployment');
    const latest = present(api.store.get('apps/deployments', ns, d.metadata.name ?? '') ?? d, dType);
    latest.metadata.annotations = { ...(latest.metadata.annotations ?? {}), [REVISION]: revision };
    update(api.ctx, dType, ns, d.metadata.name ?? '', latest);
  }
  return rs;
}

export function deploymentPass(api: KubeApi): void {
  const dType = api.type('apps/v1', 'Deployment');
  for (const d of api.store.list('apps/deployments')) {
    try {
      reconcile(api, present(d, dType));
    } catch (err) {
      reportControllerError('deployment', err);
    }
  }
}
