/** The leader-election lock on a coordination.k8s.io/v1 Lease (the operator's default). */
import { ApiException, CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { WeirError } from '../errors/index.ts';
import { withSignal } from './leader-lock.ts';
import type { LeaderLock, LeaderRecord, ObservedLease } from './leader-lock.ts';

export class KubeLeaseLock implements LeaderLock {
  private readonly api: CoordinationV1Api;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  async get(signal: AbortSignal): Promise<ObservedLease | undefined> {
    try {
      return observed(await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace }, withSignal(signal)));
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw wrap(err, 'read');
    }
  }

  async create(record: LeaderRecord, signal: AbortSignal): Promise<ObservedLease | undefined> {
    const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: toSpec(record) };
    try {
      return observed(await this.api.createNamespacedLease({ namespace: this.namespace, body }, withSignal(signal)));
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return undefined;
      throw wrap(err, 'create');
    }
  }

  async update(record: LeaderRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease | undefined> {
    const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace, resourceVersion }, spec: toSpec(record) };
    try {
      return observed(await this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body }, withSignal(signal)));
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return undefined;
      throw wrap(err, 'update');
    }
  }
}

export function lockApiError(err: unknown, verb: string, what: string): WeirError {
  const code = err instanceof ApiException ? ` (HTTP ${err.code})` : '';
  return new WeirError('LEASE_API_ERROR', `cannot ${verb} the leader-election ${what}${code}: ${err instanceof Error ? err.message : String(err)}`, true, { cause: err });
}

function wrap(err: unknown, verb: string): WeirError {
  return lockApiError(err, verb, 'lease');
}

function toSpec(r: LeaderRecord): NonNullable<V1Lease['spec']> {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: r.acquireTime === undefined ? undefined : new V1MicroTime(r.acquireTime),
    renewTime: r.renewTime === undefined ? undefined : new V1MicroTime(r.renewTime),
    leaseTransitions: r.leaseTransitions,
  };
}

function observed(lease: V1Lease): ObservedLease {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: spec.acquireTime ? new Date(spec.acquireTime).getTime() : undefined,
      renewTime: spec.renewTime ? new Date(spec.renewTime).getTime() : undefined,
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}
