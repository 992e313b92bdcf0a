/**
 * How the autoscaler acts: the spec the job runs is the user's with the parallelism the
 * autoscaler applied (status.autoscaler.appliedParallelism) on top, as Flink's operator
 * puts its overrides into the deployed configuration. A rescale is then an ordinary spec
 * change to the reconciler: `pipeline.jobvertex-parallelism-overrides` and `job.parallelism`
 * are SCALE fields, so it goes through the job's upgrade mode, and the stop-with-savepoint
 * or last-state restore redistributes keyed state by key group. Pure.
 */
import type { AutoscalerStatus } from '../crd/autoscaler-schema.ts';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { RESTART_SAMPLES } from './decide-scaling.ts';
import { DIFF_TABLE, diffTypeOf } from '../reconciler/diff-type.ts';
import { stableHash } from '../children/stable-hash.ts';
import { PARALLELISM_OVERRIDES_KEY, formatParallelismOverrides, parseParallelismOverrides } from '../../runtime/graph/parallelism-overrides.ts';

/** Why the autoscaler of this spec decides but does not act, or undefined when it acts. */
export function whyNotActing(spec: StreamDeploymentSpec): string | undefined {
  const a = spec.autoscaler;
  if (!a?.enabled) return 'disabled';
  if (a.metricsOnly) return 'metricsOnly';
  // A stateless upgrade starts the job empty: a rescale must never cost the job its state.
  if ((spec.job.upgradeMode ?? 'stateless') === 'stateless') return 'upgradeMode stateless would drop the state';
  return undefined;
}

/**
 * The spec to deploy: the user's, or with the applied parallelism as overrides (over the
 * user's own overrides for the same vertices) and `job.parallelism` at the widest vertex,
 * which sizes the TaskManagers (every vertex the JobManager reported has an override).
 */
export function scaledSpec(spec: StreamDeploymentSpec, autoscaler: AutoscalerStatus | undefined): StreamDeploymentSpec {
  const applied = autoscaler?.appliedParallelism;
  // Kept when the upgrade mode became stateless (that must not restart the job empty); gone when the autoscaler is off or metrics-only.
  if (!spec.autoscaler?.enabled || spec.autoscaler.metricsOnly || applied === undefined || Object.keys(applied).length === 0) return spec;
  const own = spec.configuration?.[PARALLELISM_OVERRIDES_KEY];
  const overrides = { ...(own === undefined ? {} : Object.fromEntries(parseParallelismOverrides(own))), ...applied };
  return {
    ...spec,
    configuration: { ...spec.configuration, [PARALLELISM_OVERRIDES_KEY]: formatParallelismOverrides(overrides) },
    job: { ...spec.job, parallelism: Math.max(...Object.values(overrides)) },
  };
}

/**
 * What of the user's spec the applied parallelism was decided for: everything that restarts
 * the job, so a change of spec.autoscaler's settings, the upgrade mode, a snapshot nonce or an
 * operator setting keeps it, and any other change (parallelism, image, args, ...) wins over it.
 */
export function runningSpecHash(spec: StreamDeploymentSpec): string {
  const copy = structuredClone(spec) as unknown as Record<string, unknown>;
  for (const [path, type] of Object.entries(DIFF_TABLE)) {
    if (type !== 'IGNORE') continue;
    const parts = path.split('.');
    const parent = parts.slice(0, -1).reduce<Record<string, unknown> | undefined>((o, k) => o?.[k] as Record<string, unknown> | undefined, copy);
    if (parent) delete parent[parts.at(-1)!];
  }
  const configuration = copy.configuration as Record<string, string> | undefined;
  if (configuration) copy.configuration = Object.fromEntries(Object.entries(configuration).filter(([k]) => diffTypeOf(`configuration.${k}`) !== 'IGNORE'));
  return stableHash(copy);
}

/**
 * `status.autoscaler` for the user's spec as it is now: a new generation restarts
 * stabilization and clears the pending scale-downs; the applied parallelism (and a rescale in
 * progress) goes when the spec it was decided for changed in anything that restarts the job,
 * so the user's parallelism is deployed.
 */
export function forUserSpec(autoscaler: AutoscalerStatus | undefined, spec: StreamDeploymentSpec, newGeneration: boolean, now: Date): AutoscalerStatus | undefined {
  if (autoscaler === undefined) return undefined;
  // As stabilization restarts, so does every scale-down's wait: it was decided on the old spec's job.
  const current = newGeneration ? { ...autoscaler, lastSpecChangeTime: now.toISOString(), pendingScaleDowns: {} } : autoscaler;
  if (current.appliedParallelism === undefined || current.appliedFor === runningSpecHash(spec)) return current;
  const { appliedParallelism: _applied, appliedFor: _for, rescaleStartTime: _started, ...rest } = current;
  return rest;
}

/** A rescale whose job now runs every task: its end restarts stabilization and its duration is learned. */
export function rescaleCompleted(autoscaler: AutoscalerStatus, now: Date): AutoscalerStatus {
  const { rescaleStartTime, ...rest } = autoscaler;
  const took = rescaleStartTime === undefined ? undefined : now.getTime() - Date.parse(rescaleStartTime);
  const restartTimesMs = took === undefined || !(took >= 0) ? (rest.restartTimesMs ?? []) : [...(rest.restartTimesMs ?? []), took].slice(-RESTART_SAMPLES);
  return { ...rest, lastRescaleTime: now.toISOString(), restartTimesMs };
}
