/**
 * The autoscaler's settings with their defaults, resolved from `spec.autoscaler` into
 * milliseconds and plain numbers, and the Flink `job.autoscaler.*` key each one follows.
 * Defaults are Flink's (flink-autoscaler 1.10+) except scaleDownMaxFactor and
 * restartTimeTracking, whose entries say why.
 */
import { parseDuration } from '../../runtime/config/duration.ts';
import type { AutoscalerSpec } from '../crd/autoscaler-schema.ts';

export interface AutoscalerConfig {
  enabled: boolean;
  metricsOnly: boolean;
  minParallelism: number;
  /** Undefined: each vertex's own maximum parallelism. */
  maxParallelism: number | undefined;
  targetUtilization: number;
  targetUtilizationBoundary: number;
  catchUpDurationMs: number;
  metricsWindowMs: number;
  stabilizationIntervalMs: number;
  scaleUpMaxFactor: number;
  scaleDownMaxFactor: number;
  scaleDownDelayMs: number;
  restartTimeMs: number;
  restartTimeTracking: boolean;
}

export const DEFAULT_AUTOSCALER_CONFIG: AutoscalerConfig = {
  enabled: false,
  metricsOnly: false,
  minParallelism: 1,
  maxParallelism: undefined,
  targetUtilization: 0.7,
  targetUtilizationBoundary: 0.3,
  catchUpDurationMs: 30 * 60_000,
  metricsWindowMs: 15 * 60_000,
  stabilizationIntervalMs: 5 * 60_000,
  scaleUpMaxFactor: 100_000,
  // Flink: 0.6. A Weir scale-down already waits for a full window of steady input and takes
  // the highest recommendation of the delay; a tighter cap mostly splits it into two restarts.
  scaleDownMaxFactor: 0.8,
  scaleDownDelayMs: 60 * 60_000,
  restartTimeMs: 5 * 60_000,
  // Flink: false. Weir observes the restart of every rescale it makes; restartTime is the
  // fallback until it has seen one.
  restartTimeTracking: true,
};

/** Spec field -> Flink key, for docs/autoscaler.md and error messages. */
export const FLINK_AUTOSCALER_KEYS: Readonly<Record<keyof AutoscalerSpec, string>> = {
  enabled: 'job.autoscaler.enabled',
  metricsOnly: 'job.autoscaler.scaling.enabled (inverted)',
  minParallelism: 'job.autoscaler.vertex.min-parallelism',
  maxParallelism: 'job.autoscaler.vertex.max-parallelism',
  targetUtilization: 'job.autoscaler.utilization.target (was job.autoscaler.target.utilization)',
  targetUtilizationBoundary: 'job.autoscaler.target.utilization.boundary',
  catchUpDuration: 'job.autoscaler.catch-up.duration',
  metricsWindow: 'job.autoscaler.metrics.window',
  stabilizationInterval: 'job.autoscaler.stabilization.interval',
  scaleUpMaxFactor: 'job.autoscaler.scale-up.max-factor',
  scaleDownMaxFactor: 'job.autoscaler.scale-down.max-factor',
  scaleDownDelay: 'job.autoscaler.scale-down.interval',
  restartTime: 'job.autoscaler.restart.time',
  restartTimeTracking: 'job.autoscaler.restart.time-tracking.enabled',
};

/** Throws WeirError INVALID_CONFIGURATION (non-retriable) naming the field when a duration does not parse. */
export function resolveAutoscalerConfig(spec: AutoscalerSpec | undefined): AutoscalerConfig {
  const d = DEFAULT_AUTOSCALER_CONFIG;
  const s = spec ?? {};
  const ms = (value: string | undefined, field: keyof AutoscalerSpec, fallback: number) => (value === undefined ? fallback : parseDuration(value, `spec.autoscaler.${field}`));
  return {
    enabled: s.enabled ?? d.enabled,
    metricsOnly: s.metricsOnly ?? d.metricsOnly,
    minParallelism: s.minParallelism ?? d.minParallelism,
    maxParallelism: s.maxParallelism ?? d.maxParallelism,
    targetUtilization: s.targetUtilization ?? d.targetUtilization,
    targetUtilizationBoundary: s.targetUtilizationBoundary ?? d.targetUtilizationBoundary,
    catchUpDurationMs: ms(s.catchUpDuration, 'catchUpDuration', d.catchUpDurationMs),
    metricsWindowMs: ms(s.metricsWindow, 'metricsWindow', d.metricsWindowMs),
    stabilizationIntervalMs: ms(s.stabilizationInterval, 'stabilizationInterval', d.stabilizationIntervalMs),
    scaleUpMaxFactor: s.scaleUpMaxFactor ?? d.scaleUpMaxFactor,
    scaleDownMaxFactor: s.scaleDownMaxFactor ?? d.scaleDownMaxFactor,
    scaleDownDelayMs: ms(s.scaleDownDelay, 'scaleDownDelay', d.scaleDownDelayMs),
    restartTimeMs: ms(s.restartTime, 'restartTime', d.restartTimeMs),
    restartTimeTracking: s.restartTimeTracking ?? d.restartTimeTracking,
  };
}
