/**
 * High-availability settings with Flink's keys. `high-availability.type: kubernetes` turns on
 * leader election and checkpoint pointers in ConfigMaps; NONE (the default) runs standalone.
 */
import { createHash } from 'node:crypto';
import { WeirError } from '../../../errors/index.ts';
import { parseDuration } from '../../config/duration.ts';

export const HA_KEYS = {
  type: 'high-availability.type',
  clusterId: 'high-availability.cluster-id',
  storageDir: 'high-availability.storageDir',
  leaseDuration: 'high-availability.kubernetes.leader-election.lease-duration',
  renewDeadline: 'high-availability.kubernetes.leader-election.renew-deadline',
  retryPeriod: 'high-availability.kubernetes.leader-election.retry-period',
  /** Flink's fixed job id in application mode. */
  jobId: '$internal.pipeline.job-id',
} as const;

export interface KubernetesHaConfig {
  readonly clusterId: string;
  readonly storageDir: string | undefined;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** The job's id, the same in every JobManager of the cluster. */
  readonly jobId: string;
}

/** Kubernetes object names: at most 253 characters of lower-case alphanumerics, '-' and '.'. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The Kubernetes HA settings, or undefined when HA is off. */
export function parseHaConfig(config: ReadonlyMap<string, string>): KubernetesHaConfig | undefined {
  const type = (config.get(HA_KEYS.type) ?? config.get('high-availability') ?? 'NONE').toLowerCase();
  if (type === 'none') return undefined;
  if (type !== 'kubernetes') throw new WeirError('INVALID_CONFIGURATION', `${HA_KEYS.type}: "${type}" is not NONE or kubernetes`, false);
  const clusterId = config.get(HA_KEYS.clusterId) ?? config.get('kubernetes.cluster-id');
  if (!clusterId) throw new WeirError('INVALID_CONFIGURATION', `${HA_KEYS.type}: kubernetes needs ${HA_KEYS.clusterId}, which names the HA ConfigMaps`, false);
  if (!DNS_SUBDOMAIN.test(clusterId) || clusterId.length > 200) throw new WeirError('INVALID_CONFIGURATION', `${HA_KEYS.clusterId}: "${clusterId}" must be lower-case letters, digits and '-' (it names ConfigMaps)`, false);
  const duration = (key: string, fallback: string) => parseDuration(config.get(key) ?? fallback, key);
  const jobId = config.get(HA_KEYS.jobId) ?? fixedJobId(clusterId);
  if (!/^[0-9a-f]{32}$/.test(jobId)) throw new WeirError('INVALID_CONFIGURATION', `${HA_KEYS.jobId}: "${jobId}" is not 32 hex digits`, false);
  return {
    clusterId,
    storageDir: config.get(HA_KEYS.storageDir),
    leaseDurationMs: duration(HA_KEYS.leaseDuration, '15s'),
    renewDeadlineMs: duration(HA_KEYS.renewDeadline, '15s'),
    retryPeriodMs: duration(HA_KEYS.retryPeriod, '5s'),
    jobId,
  };
}

/** The job id of a cluster whose configuration names none: the same in every JobManager of it. */
export function fixedJobId(clusterId: string): string {
  return createHash('sha256').update(clusterId).digest('hex').slice(0, 32);
}

export function clusterConfigMapName(clusterId: string): string {
  return `${clusterId}-cluster-config-map`;
}

export function jobConfigMapName(clusterId: string, jobId: string): string {
  return `${clusterId}-${jobId}-config-map`;
}

export const HA_LABELS = { clusterId: 'weir.dev/cluster-id', type: 'weir.dev/configmap-type', jobId: 'weir.dev/job-id' } as const;

export function haLabels(clusterId: string, jobId?: string): Record<string, string> {
  return { [HA_LABELS.clusterId]: clusterId, [HA_LABELS.type]: 'high-availability', ...(jobId ? { [HA_LABELS.jobId]: jobId } : {}) };
}
