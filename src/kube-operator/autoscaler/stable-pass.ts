/**
 * The autoscaler's part of a STABLE reconcile pass, as the reconciler runs it: a rescale in
 * progress is recorded as done once the job that runs is the one deployed with the applied
 * parallelism (its duration is learned); otherwise a decision on this pass's samples, and
 * when it acts the parallelism to apply, which the next pass deploys as a SCALE change
 * through the job's upgrade mode. Pure; the simulated operator loop of the no-oscillation
 * tests and `npm run bench:autoscaler` calls exactly this.
 */
import type { AutoscalerStatus } from '../crd/autoscaler-schema.ts';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { canonicalJson } from '../children/stable-hash.ts';
import { autoscalerPass } from './autoscaler-pass.ts';
import type { VertexObservation } from './scaling-inputs.ts';
import type { ScalingReportEvent } from './scaling-report.ts';
import { rescaleCompleted, runningSpecHash, scaledSpec, whyNotActing } from './scaled-spec.ts';
import { slotsPerTaskManager } from '../validation/validate-spec.ts';

export interface StablePassOutcome {
  autoscaler: AutoscalerStatus;
  events: ScalingReportEvent[];
  /** A rescale was decided: the next pass deploys it. */
  acted: boolean;
}

/**
 * `deployed`: the canonical JSON of the spec the running job was deployed with; `vertices`:
 * this pass's samples, undefined when none were collected. Undefined: nothing to record.
 */
export function autoscalerOnStablePass(recorded: AutoscalerStatus | undefined, spec: StreamDeploymentSpec, deployed: string, vertices: readonly VertexObservation[] | undefined, now: Date): StablePassOutcome | undefined {
  if (recorded?.rescaleStartTime !== undefined) {
    const done = deployed === canonicalJson(scaledSpec(spec, recorded));
    return done ? { autoscaler: rescaleCompleted(recorded, now), events: [], acted: false } : undefined;
  }
  if (!vertices) return undefined;
  const slotLimit = fixedSlots(spec);
  const scaling = autoscalerPass({ spec: spec.autoscaler, status: recorded, vertices, now: now.getTime(), notActing: whyNotActing(spec), ...(slotLimit === undefined ? {} : { slotLimit }) });
  if (!scaling) return undefined;
  const autoscaler = scaling.act ? { ...scaling.status, appliedParallelism: scaling.decision.parallelism, appliedFor: runningSpecHash(spec), rescaleStartTime: now.toISOString() } : { ...scaling.status, ...appliedOf(recorded) };
  return { autoscaler, events: scaling.event ? [scaling.event] : [], acted: scaling.act };
}

/**
 * With spec.taskManager.replicas the TaskManagers stay at that count, as Flink's operator
 * keeps an explicit replicas count (it derives them only when unset): the autoscaler then
 * scales within their slots instead of deploying subtasks that would wait for slots forever.
 */
export function fixedSlots(spec: StreamDeploymentSpec): number | undefined {
  const replicas = spec.taskManager?.replicas;
  return replicas === undefined ? undefined : replicas * (slotsPerTaskManager(spec) ?? 1);
}

const appliedOf = (a: AutoscalerStatus | undefined) => (a?.appliedParallelism === undefined ? {} : { appliedParallelism: a.appliedParallelism, appliedFor: a.appliedFor });
