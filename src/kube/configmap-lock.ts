/**
 * The leader-election lock on a ConfigMap, as client-go's `configmaps` lock and Flink's
 * Kubernetes HA: the record is the JSON of the `control-plane.alpha.kubernetes.io/leader`
 * annotation (`holderIdentity`, `leaseDurationSeconds`, `acquireTime`, `renewTime`,
 * `leaderTransitions`; times RFC 3339 with milliseconds). The holder may keep data of its own
 * in the same ConfigMap (the JobManager's address), written in the same conditioned write
 * as its record and removed when it steps down; other data and labels are kept as found.
 */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { WeirError } from '../errors/index.ts';
import { withSignal } from './leader-lock.ts';
import type { LeaderLock, LeaderRecord, ObservedLease } from './leader-lock.ts';
import { lockApiError } from './lease-lock.ts';

export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** The annotation's JSON, as client-go's LeaderElectionRecord. */
interface AnnotationRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaderTransitions?: number;
}

export interface ConfigMapLockOptions {
  /** Labels a created ConfigMap carries. */
  labels?: Record<string, string>;
  /** Data the holder `identity` writes beside its record while it holds the lock. */
  holderData?: { identity: string; data: () => Record<string, string> };
}

export class ConfigMapLock implements LeaderLock {
  private readonly api: CoreV1Api;
  /** The object as last read or written, so an update keeps what the lock does not own. */
  private last: V1ConfigMap | undefined;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
    private readonly options: ConfigMapLockOptions = {},
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  async get(signal: AbortSignal): Promise<ObservedLease | undefined> {
    try {
      return this.observe(await this.api.readNamespacedConfigMap({ name: this.name, namespace: this.namespace }, withSignal(signal)));
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw lockApiError(err, 'read', 'ConfigMap');
    }
  }

  async create(record: LeaderRecord, signal: AbortSignal): Promise<ObservedLease | undefined> {
    const body = this.withRecord({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.name, namespace: this.namespace, labels: this.options.labels } }, record);
    try {
      return this.observe(await this.api.createNamespacedConfigMap({ namespace: this.namespace, body }, withSignal(signal)));
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return undefined;
      throw lockApiError(err, 'create', 'ConfigMap');
    }
  }

  async update(record: LeaderRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease | undefined> {
    const base: V1ConfigMap = this.last?.metadata?.resourceVersion === resourceVersion ? this.last : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.name, namespace: this.namespace } };
    const body = this.withRecord({ ...base, metadata: { ...base.metadata, resourceVersion } }, record);
    try {
      return this.observe(await this.api.replaceNamespacedConfigMap({ name: this.name, namespace: this.namespace, body }, withSignal(signal)));
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return undefined;
      throw lockApiError(err, 'update', 'ConfigMap');
    }
  }

  private withRecord(cm: V1ConfigMap, record: LeaderRecord): V1ConfigMap {
    const annotations = { ...(cm.metadata?.annotations ?? {}), [LEADER_ANNOTATION]: JSON.stringify(toAnnotation(record)) };
    const data = { ...(cm.data ?? {}) };
    const holder = this.options.holderData;
    if (holder && record.holderIdentity === holder.identity) Object.assign(data, holder.data());
    else if (holder && record.holderIdentity === '') for (const key of Object.keys(holder.data())) delete data[key];
    return { ...cm, metadata: { ...cm.metadata, annotations }, data };
  }

  private observe(cm: V1ConfigMap): ObservedLease {
    this.last = cm;
    return { resourceVersion: cm.metadata?.resourceVersion ?? '', record: parseLeaderAnnotation(cm.metadata?.annotations?.[LEADER_ANNOTATION]) };
  }
}

function toAnnotation(r: LeaderRecord): AnnotationRecord {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: r.acquireTime === undefined ? undefined : new Date(r.acquireTime).toISOString(),
    renewTime: r.renewTime === undefined ? undefined : new Date(r.renewTime).toISOString(),
    leaderTransitions: r.leaseTransitions,
  };
}

/** The record in the annotation; none is a free lock, and one that is not JSON an error (as client-go's). */
export function parseLeaderAnnotation(text: string | undefined): LeaderRecord {
  let a: AnnotationRecord = {};
  try {
    if (text) a = JSON.parse(text) as AnnotationRecord;
  } catch (err) {
    throw new WeirError('LEASE_API_ERROR', `the ${LEADER_ANNOTATION} annotation is not a leader record: ${text}`, false, { cause: err });
  }
  const time = (t: string | undefined) => (t === undefined || Number.isNaN(Date.parse(t)) ? undefined : Date.parse(t));
  return { holderIdentity: a.holderIdentity ?? '', leaseDurationSeconds: a.leaseDurationSeconds ?? 0, acquireTime: time(a.acquireTime), renewTime: time(a.renewTime), leaseTransitions: a.leaderTransitions ?? 0 };
}
