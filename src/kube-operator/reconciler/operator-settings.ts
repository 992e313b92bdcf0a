/**
 * The operator's own settings of one StreamDeployment, read from `spec.configuration` under
 * Flink operator's `kubernetes.operator.*` keys. These keys steer the operator, not the job:
 * they are left out of the runtime configuration, so changing one restarts nothing.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { parseDuration } from '../../runtime/config/duration.ts';
import { errorMessage } from '../../errors/index.ts';

export const OPERATOR_KEY_PREFIX = 'kubernetes.operator.';

export const OPERATOR_KEYS = {
  lastStateFallback: 'kubernetes.operator.job.upgrade.last-state-fallback.enabled',
  maxCheckpointAge: 'kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age',
  periodicSavepointInterval: 'kubernetes.operator.periodic.savepoint.interval',
  historyMaxCount: 'kubernetes.operator.savepoint.history.max.count',
  historyMaxAge: 'kubernetes.operator.savepoint.history.max.age',
  savepointOnDeletion: 'kubernetes.operator.job.savepoint-on-deletion',
  deletionSavepointTimeout: 'kubernetes.operator.job.savepoint-on-deletion.timeout',
  rollbackEnabled: 'kubernetes.operator.deployment.rollback.enabled',
  readinessTimeout: 'kubernetes.operator.deployment.readiness.timeout',
} as const;

export interface OperatorSettings {
  lastStateFallback: boolean;
  /** Unset: any checkpoint age is accepted for last-state. */
  maxCheckpointAgeMs: number | undefined;
  /** Unset or 0: no periodic savepoints. */
  periodicSavepointIntervalMs: number | undefined;
  historyMaxCount: number;
  historyMaxAgeMs: number;
  savepointOnDeletion: boolean;
  deletionSavepointTimeoutMs: number;
  rollbackEnabled: boolean;
  readinessTimeoutMs: number;
  /** `high-availability.type: kubernetes`: the JobManager keeps checkpoint pointers in ConfigMaps. */
  haEnabled: boolean;
  /** `kubernetes.cluster-id`, the prefix of the HA ConfigMaps (default: the StreamDeployment's name). */
  clusterId: string;
}

export interface SettingProblem {
  field: string;
  reason: string;
}

/** Retry waits of failed snapshot triggers: 10 s, doubling, at most 5 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, attempt - 1));
}

export function operatorSettings(spec: StreamDeploymentSpec, name: string): OperatorSettings {
  const { settings } = readSettings(spec, name);
  return settings;
}

/** Problems of the `kubernetes.operator.*` values, for validation. */
export function settingProblems(spec: StreamDeploymentSpec): SettingProblem[] {
  return readSettings(spec, '').problems;
}

function readSettings(spec: StreamDeploymentSpec, name: string): { settings: OperatorSettings; problems: SettingProblem[] } {
  const conf = spec.configuration ?? {};
  const problems: SettingProblem[] = [];
  const field = (key: string) => `spec.configuration["${key}"]`;
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = conf[key];
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push({ field: field(key), reason: `is "${raw}"; it must be true or false` });
    return fallback;
  };
  const duration = (key: string, fallback: number | undefined): number | undefined => {
    const raw = conf[key];
    if (raw === undefined) return fallback;
    try {
      return parseDuration(raw, key);
    } catch (err) {
      problems.push({ field: field(key), reason: errorMessage(err) });
      return fallback;
    }
  };
  const count = (key: string, fallback: number): number => {
    const raw = conf[key];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 1) return n;
    problems.push({ field: field(key), reason: `is "${raw}"; it must be a whole number >= 1` });
    return fallback;
  };
  const periodic = duration(OPERATOR_KEYS.periodicSavepointInterval, undefined);
  const settings: OperatorSettings = {
    lastStateFallback: bool(OPERATOR_KEYS.lastStateFallback, true),
    maxCheckpointAgeMs: duration(OPERATOR_KEYS.maxCheckpointAge, undefined),
    periodicSavepointIntervalMs: periodic === 0 ? undefined : periodic,
    historyMaxCount: count(OPERATOR_KEYS.historyMaxCount, 10),
    historyMaxAgeMs: duration(OPERATOR_KEYS.historyMaxAge, 24 * 3600_000)!,
    savepointOnDeletion: bool(OPERATOR_KEYS.savepointOnDeletion, false),
    deletionSavepointTimeoutMs: duration(OPERATOR_KEYS.deletionSavepointTimeout, 60_000)!,
    rollbackEnabled: bool(OPERATOR_KEYS.rollbackEnabled, false),
    readinessTimeoutMs: duration(OPERATOR_KEYS.readinessTimeout, 300_000)!,
    haEnabled: conf['high-availability.type'] === 'kubernetes',
    clusterId: conf['kubernetes.cluster-id'] ?? name,
  };
  return { settings, problems };
}
