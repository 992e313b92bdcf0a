/**
 * What leader election reads and writes, whatever object holds it (a Lease or a ConfigMap
 * annotation), reduced to the record the algorithm needs. Every write is conditioned on the
 * resourceVersion that was read, so two candidates racing for the same lock cannot both
 * succeed: the loser gets a conflict and sees `undefined`.
 */
import { createConfiguration } from '@kubernetes/client-node';
import type { HttpLibrary } from '@kubernetes/client-node';
import { WeirError } from '../errors/index.ts';

export interface LeaderRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: number;
  renewTime?: number;
  /** Lease's `leaseTransitions`, the annotation's `leaderTransitions`. */
  leaseTransitions: number;
}

export interface ObservedLease {
  record: LeaderRecord;
  resourceVersion: string;
}

export interface LeaderLock {
  /** The lock, or undefined when its object does not exist. */
  get(signal: AbortSignal): Promise<ObservedLease | undefined>;
  /** Creates the lock's object; undefined when someone else created it first. */
  create(record: LeaderRecord, signal: AbortSignal): Promise<ObservedLease | undefined>;
  /** Replaces the record if the object is still at `resourceVersion`; undefined on a conflict. */
  update(record: LeaderRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease | undefined>;
}

/** The kinds of lock `--leader-election-lock` names, as client-go's resource lock names. */
export type LeaderLockKind = 'leases' | 'configmaps';

export function parseLockKind(raw: string, what: string): LeaderLockKind {
  if (raw === 'leases' || raw === 'configmaps') return raw;
  throw new WeirError('INVALID_CONFIGURATION', `${what}: "${raw}" is not leases or configmaps`, false);
}

/** Per-call options that abort the request with `signal` (client-node has no other way to pass one). */
export function withSignal(signal: AbortSignal): { httpApi: HttpLibrary } {
  const base = createConfiguration().httpApi;
  return {
    httpApi: {
      send(ctx) {
        ctx.setSignal(signal);
        return base.send(ctx);
      },
    },
  };
}
