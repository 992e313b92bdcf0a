/**
 * How a decision is recorded: `status.autoscaler` (the last decision per vertex with its
 * reason and figures, and the history the next decision needs), the ScalingReport Event, and
 * back from status into the decision's history. Pure: the reconciler puts the results in its
 * plan. A decision that only moved figures (rates, utilization) keeps the recorded one, so a
 * steady job does not rewrite its status on every pass.
 */
import type { AutoscalerStatus, VertexDecisionStatus } from '../crd/autoscaler-schema.ts';
import type { PendingScaleDown, ScalingDecision, ScalingHistory, VertexRecommendation } from './scaling-inputs.ts';
import { RESTART_SAMPLES } from './decide-scaling.ts';

export interface ScalingReportEvent {
  type: 'Normal';
  reason: 'ScalingReport';
  message: string;
}

const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString());
const ms = (time: string | undefined) => (time === undefined ? undefined : Date.parse(time));
const round = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? undefined : Number(n.toFixed(digits)));

/** The decision's history as recorded in status (what the operator keeps across restarts). */
export function scalingHistoryOf(status: AutoscalerStatus | undefined): ScalingHistory {
  const pending: Record<string, PendingScaleDown> = {};
  for (const [id, p] of Object.entries(status?.pendingScaleDowns ?? {})) {
    const since = ms(p.since);
    if (since !== undefined && !Number.isNaN(since) && p.highest !== undefined) pending[id] = { since, highest: p.highest };
  }
  return { lastRescaleAt: ms(status?.lastRescaleTime), lastSpecChangeAt: ms(status?.lastSpecChangeTime), restartTimesMs: status?.restartTimesMs ?? [], pendingScaleDowns: pending };
}

/** `status.autoscaler` after `decision`, made at `now` with `history`. */
export function autoscalerStatusOf(decision: ScalingDecision, history: ScalingHistory, previous: AutoscalerStatus | undefined, now: number): AutoscalerStatus {
  const before = new Map((previous?.vertices ?? []).map((v) => [v.vertexId, v]));
  const vertices = decision.vertices.map((v) => {
    const old = before.get(v.vertexId);
    return old && sameDecision(old, v) ? old : vertexStatus(v);
  });
  const changed = vertices.some((v, i) => v !== before.get(decision.vertices[i]!.vertexId)) || vertices.length !== before.size;
  const status: AutoscalerStatus = {
    lastDecisionTime: changed ? iso(now) : (previous?.lastDecisionTime ?? iso(now)),
    vertices,
    pendingScaleDowns: Object.fromEntries(Object.entries(decision.pendingScaleDowns).map(([id, p]) => [id, { since: iso(p.since) ?? iso(now)!, highest: p.highest }])),
    restartTimesMs: history.restartTimesMs.slice(-RESTART_SAMPLES).map((t) => Math.round(t)),
  };
  const lastRescaleTime = iso(history.lastRescaleAt);
  const lastSpecChangeTime = iso(history.lastSpecChangeAt);
  if (lastRescaleTime) status.lastRescaleTime = lastRescaleTime;
  if (lastSpecChangeTime) status.lastSpecChangeTime = lastSpecChangeTime;
  return status;
}

/**
 * The ScalingReport Event of a decision that would change the job, or undefined: for a
 * decision that changes nothing, or one already reported (the same recommendations as
 * recorded in `previous`). `applied`: false in metrics-only mode, or when `notApplied` says why.
 */
export function scalingReportEvent(decision: ScalingDecision, previous: AutoscalerStatus | undefined, applied: boolean, notApplied = 'metricsOnly'): ScalingReportEvent | undefined {
  if (!decision.rescale) return undefined;
  const recorded = new Map((previous?.vertices ?? []).map((v) => [v.vertexId, v]));
  if (decision.vertices.every((v) => { const r = recorded.get(v.vertexId); return r !== undefined && sameDecision(r, v); })) return undefined;
  const changes = decision.vertices.filter((v) => v.recommended !== v.current).map((v) => `${v.name} ${v.current} -> ${v.recommended} (${v.message})`);
  return { type: 'Normal', reason: 'ScalingReport', message: `${applied ? 'Rescaling' : `Recommended, not applied (${notApplied})`}: ${changes.join('; ')}` };
}

function sameDecision(recorded: VertexDecisionStatus, v: VertexRecommendation): boolean {
  return recorded.current === v.current && recorded.recommended === v.recommended && recorded.direction === v.direction && recorded.reason === v.reason;
}

function vertexStatus(v: VertexRecommendation): VertexDecisionStatus {
  const out: VertexDecisionStatus = { vertexId: v.vertexId, name: v.name, current: v.current, recommended: v.recommended, direction: v.direction, reason: v.reason, message: v.message };
  const figures = { inputRate: round(v.inputRate), targetRate: round(v.targetRate), trueRatePerSubtask: round(v.trueRatePerSubtask), utilization: round(v.utilization, 3), lag: round(v.lag) };
  for (const [k, value] of Object.entries(figures)) if (value !== undefined) (out as Record<string, unknown>)[k] = value;
  return out;
}
