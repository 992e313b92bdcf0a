/**
 * One autoscaler pass for a StreamDeployment, the piece the reconciler plugs in: from its
 * spec, its recorded status and the vertices with their samples, the decision, the status
 * to record, the ScalingReport Event and whether to act. Pure; acting (rescaling through an
 * upgrade) is the caller's, and only when `act` is true.
 */
import type { AutoscalerSpec, AutoscalerStatus } from '../crd/autoscaler-schema.ts';
import { resolveAutoscalerConfig } from './autoscaler-config.ts';
import { decideScaling } from './decide-scaling.ts';
import type { ScalingDecision, VertexObservation } from './scaling-inputs.ts';
import { autoscalerStatusOf, scalingHistoryOf, scalingReportEvent } from './scaling-report.ts';
import type { ScalingReportEvent } from './scaling-report.ts';

export interface AutoscalerPassInput {
  spec: AutoscalerSpec | undefined;
  status: AutoscalerStatus | undefined;
  vertices: readonly VertexObservation[];
  now: number;
  /** When the user last changed the spec (other than the autoscaler's own rescales), if after the recorded one. */
  specChangedAt?: number;
  /** Why a decision is not carried out although the autoscaler is not metrics-only (e.g. a stateless upgrade mode). */
  notActing?: string;
  /** The slots of a fixed number of TaskManagers, when spec.taskManager.replicas sets it. */
  slotLimit?: number;
}

export interface AutoscalerPass {
  decision: ScalingDecision;
  status: AutoscalerStatus;
  event?: ScalingReportEvent;
  /** True when the decision should be carried out: enabled, not metrics-only, allowed to act, and something changes. */
  act: boolean;
}

/** Undefined when the autoscaler is not enabled. */
export function autoscalerPass(input: AutoscalerPassInput): AutoscalerPass | undefined {
  const config = resolveAutoscalerConfig(input.spec);
  if (!config.enabled) return undefined;
  const recorded = scalingHistoryOf(input.status);
  const history = input.specChangedAt !== undefined && (recorded.lastSpecChangeAt ?? -Infinity) < input.specChangedAt ? { ...recorded, lastSpecChangeAt: input.specChangedAt, pendingScaleDowns: {} } : recorded;
  const decision = decideScaling({ config, now: input.now, vertices: input.vertices, history, ...(input.slotLimit === undefined ? {} : { slotLimit: input.slotLimit }) });
  const notActing = config.metricsOnly ? 'metricsOnly' : input.notActing;
  const act = notActing === undefined && decision.rescale;
  const event = scalingReportEvent(decision, input.status, act, notActing);
  const status = autoscalerStatusOf(decision, act ? { ...history, lastRescaleAt: input.now } : history, input.status, input.now);
  return { decision, status, act, ...(event ? { event } : {}) };
}
