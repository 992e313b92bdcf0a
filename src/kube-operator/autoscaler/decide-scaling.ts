/**
 * The autoscaler's decision: a pure function from observed metrics, lag and history to a
 * recommended parallelism per vertex, each with its reason. The rules, in order:
 *
 * 1. No decision within `stabilizationInterval` of a rescale or of a change of the user's spec,
 *    and none on metrics from before it ended.
 * 2. True processing rate per subtask = observed input rate / parallelism / busy fraction.
 *    Target rate = input rate + lag / catchUpDuration. A source's input rate is what arrives
 *    at its partitions, over the window or between the newest two samples if that is higher
 *    (a rise is acted on before it moves the average); downstream vertices get it through the graph.
 * 3. Utilization = target rate / (true rate x parallelism). Within targetUtilization +/-
 *    boundary nothing changes (the dead band).
 * 4. Outside it, the parallelism = (target rate + the backlog a restart adds, drained within
 *    catchUpDuration) / (true rate x targetUtilization), capped by scaleUpMaxFactor and
 *    scaleDownMaxFactor, bounded by min/maxParallelism (a source also by its partitions, every
 *    vertex by the slots of a fixed number of TaskManagers),
 *    and aligned to key groups or partitions (parallelism-alignment.ts). A scale-up also
 *    plans for the input's significant rise (vertex-rates.ts) over stabilizationInterval +
 *    restart time, until the next decision can take effect.
 * 5. A scale-up acts at once (with at least two samples); a scale-down needs a full metrics
 *    window since a source last caught up, a source lag read on this pass wherever one was
 *    read before in the window, and its lower recommendation held for
 *    scaleDownDelay, and then goes to the highest recommendation made on metrics from
 *    within that time.
 * 6. A scale-down that frees no slot (the job holds as many as its widest vertex) waits for
 *    a rescale that happens anyway.
 */
import type { AutoscalerConfig } from './autoscaler-config.ts';
import { alignParallelism } from './parallelism-alignment.ts';
import type { PendingScaleDown, ScalingDecision, ScalingHistory, ScalingInput, VertexObservation, VertexRecommendation, VertexSample } from './scaling-inputs.ts';
import { topological, vertexRates } from './vertex-rates.ts';
import type { VertexRates } from './vertex-rates.ts';

/** A source whose lag exceeds this share of catchUpDuration's worth of its input is catching up. */
export const CATCHING_UP_SHARE = 0.1;
/** Learned restart time: the longest of this many recent rescales. */
export const RESTART_SAMPLES = 5;

export function decideScaling(input: ScalingInput): ScalingDecision {
  const { config, now, history } = input;
  const vertices = topological(input.vertices);
  const restartTimeMs = plannedRestartTime(config, history);
  const hold = (reason: VertexRecommendation['reason'], message: string, pending: Record<string, PendingScaleDown>): ScalingDecision =>
    result(vertices.map((v) => ({ vertexId: v.id, name: v.name, current: v.parallelism, recommended: v.parallelism, direction: 'none', reason, message })), pending, restartTimeMs);

  const rescaleSettles = (history.lastRescaleAt ?? -Infinity) + config.stabilizationIntervalMs;
  const specSettles = (history.lastSpecChangeAt ?? -Infinity) + config.stabilizationIntervalMs;
  const settledAt = Math.max(rescaleSettles, specSettles);
  if (now < settledAt) {
    const after = specSettles >= rescaleSettles ? 'a change of the spec' : 'a rescale';
    return hold('Stabilizing', `stabilizing after ${after} until ${new Date(settledAt).toISOString()}`, {});
  }
  // A scale-down's wait, like stabilization, starts over after a rescale or a change of the spec.
  const carried = Object.fromEntries(Object.entries(history.pendingScaleDowns).filter(([, p]) => p.since >= settledAt));

  const windowStart = Math.max(now - config.metricsWindowMs, settledAt);
  const windows = new Map<string, VertexSample[]>(vertices.map((v) => [v.id, v.samples.filter((s) => s.at >= windowStart && s.at <= now)]));
  if ([...windows.values()].some((w) => w.length < 2)) return hold('CollectingMetrics', 'waiting for two samples of every vertex since stabilization', carried);
  const rates = vertexRates(vertices, windows, config.catchUpDurationMs);
  const catchingUp = vertices.filter((v) => v.inputs.length === 0 && isCatchingUp(rates.get(v.id)!.lag, rates.get(v.id)!.inputRate, config));
  // A lag that could not be read this time may hide a backlog: scale-ups go on, scale-downs wait.
  const lagUnknown = vertices.filter((v) => v.inputs.length === 0 && rates.get(v.id)!.lagUnknown === true);
  // A scale-down is decided on a full window of steady input: none from before stabilization,
  // and none from while a source was catching up (it read faster than records arrive).
  const lastCatchUp = Math.max(...vertices.filter((v) => v.inputs.length === 0).map((v) => lastCatchingUpAt(windows.get(v.id)!, rates.get(v.id)!.inputRate, config)));
  const observedSince = Math.max(settledAt, lastCatchUp, Math.min(...vertices.map((v) => v.samples[0]!.at)));
  const fullWindow = now - observedSince >= config.metricsWindowMs;

  const pending: Record<string, PendingScaleDown> = {};
  /** Scale-downs whose delay is over, with what they held. */
  const ready = new Map<string, PendingScaleDown>();
  const decided = vertices.map((v) => {
    const d = decideVertex(v, rates.get(v.id)!, config, restartTimeMs, input.slotLimit);
    if (d.direction !== 'down') return d;
    if (catchingUp.length > 0) return { ...d, recommended: v.parallelism, direction: 'none' as const, reason: 'CatchingUp' as const, message: `no scale-down while ${catchingUp.map((s) => s.name).join(', ')} catch up; ${d.message}` };
    const before = carried[v.id];
    if (lagUnknown.length > 0) {
      if (before) pending[v.id] = before;
      return { ...d, recommended: v.parallelism, direction: 'none' as const, reason: 'CollectingMetrics' as const, message: `no scale-down while the lag of ${lagUnknown.map((s) => s.name).join(', ')} is unknown (not read this time); ${d.message}` };
    }
    if (!fullWindow) {
      if (before) pending[v.id] = before;
      return { ...d, recommended: v.parallelism, direction: 'none' as const, reason: 'CollectingMetrics' as const, message: `a scale-down waits for a full metrics window; ${d.message}` };
    }
    // The highest recommendation counts those made on metrics from within the delay only: the
    // first ones still average in the load that came before it.
    const since = before?.since ?? now;
    const held = { since, highest: now - since >= config.metricsWindowMs ? Math.max(before?.highest ?? 0, d.recommended) : (before?.highest ?? 0) };
    if (now - held.since >= config.scaleDownDelayMs) {
      held.highest = Math.max(held.highest, d.recommended);
      ready.set(v.id, held);
      return { ...d, recommended: held.highest, message: `${d.message}; lower since ${new Date(held.since).toISOString()}, highest recommendation since ${held.highest}` };
    }
    pending[v.id] = held;
    return { ...d, recommended: v.parallelism, direction: 'none' as const, reason: 'ScaleDownDelayed' as const, message: `would scale down to ${Math.max(held.highest, d.recommended)} once lower since ${new Date(held.since + config.scaleDownDelayMs).toISOString()}; ${d.message}` };
  });
  return result(withoutIdleScaleDowns(decided, pending, ready), pending, restartTimeMs);
}

/**
 * A slot holds one subtask of every vertex, so the job holds as many slots as its widest
 * vertex. A scale-down that frees no slot saves nothing and costs a restart: it waits, ready,
 * for a rescale that happens anyway (a scale-up, or a scale-down of the widest vertex).
 */
function withoutIdleScaleDowns(decided: VertexRecommendation[], pending: Record<string, PendingScaleDown>, ready: ReadonlyMap<string, PendingScaleDown>): VertexRecommendation[] {
  const slotsNow = Math.max(...decided.map((d) => d.current));
  const slotsNext = Math.max(...decided.map((d) => d.recommended));
  if (decided.some((d) => d.direction === 'up') || slotsNext < slotsNow) return decided;
  return decided.map((d) => {
    if (d.direction !== 'down') return d;
    // Kept ready: since stays where it was, so the scale-down goes with the next rescale.
    pending[d.vertexId] = ready.get(d.vertexId) ?? { since: 0, highest: d.recommended };
    return { ...d, recommended: d.current, direction: 'none' as const, reason: 'NoSlotFreed' as const, message: `would scale down to ${d.recommended} with the next rescale: alone it frees no slot (the job keeps ${slotsNow}); ${d.message}` };
  });
}

function decideVertex(v: VertexObservation, r: VertexRates, config: AutoscalerConfig, restartTimeMs: number, slotLimit = Infinity): VertexRecommendation {
  const p = v.parallelism;
  const targetRate = r.inputRate + r.catchUpRate;
  const trueRatePerSubtask = r.busyRatio > 0 ? r.observedIn / p / r.busyRatio : undefined;
  const figures = { vertexId: v.id, name: v.name, current: p, inputRate: r.inputRate, targetRate, trueRatePerSubtask, ...(r.lag === undefined ? {} : { lag: r.lag }) };
  const keep = (reason: VertexRecommendation['reason'], message: string, utilization?: number): VertexRecommendation => ({ ...figures, recommended: p, direction: 'none', reason, message, ...(utilization === undefined ? {} : { utilization }) });

  const upper = Math.min(config.maxParallelism ?? Infinity, v.maxParallelism, v.partitions ?? Infinity, slotLimit);
  const lower = Math.min(config.minParallelism, upper);
  let utilization = 0;
  if (targetRate > 0) {
    if (trueRatePerSubtask === undefined) return keep('NoBusyTime', `no busy time measured at ${fmt(r.observedIn)} records/s in: the processing rate is unknown`);
    utilization = targetRate / (trueRatePerSubtask * p);
  }
  const inBounds = p >= lower && p <= upper;
  if (inBounds && Math.abs(utilization - config.targetUtilization) <= config.targetUtilizationBoundary) {
    return keep('WithinBoundary', `utilization ${fmt(utilization)} is within ${fmt(config.targetUtilization)} +/- ${fmt(config.targetUtilizationBoundary)}`, utilization);
  }
  const restartBacklogRate = config.catchUpDurationMs > 0 ? (r.inputRate * restartTimeMs) / config.catchUpDurationMs : 0;
  const steady = targetRate > 0 ? (targetRate + restartBacklogRate) / (trueRatePerSubtask! * config.targetUtilization) : 0;
  // A scale-up is sized for the input expected when the next decision can take effect, so a
  // rising ramp is not chased step by step; a scale-down never counts on a trend.
  const trendRate = steady > p ? r.inputTrend * ((config.stabilizationIntervalMs + restartTimeMs) / 1000) : 0;
  const required = steady + (trendRate > 0 ? trendRate / (trueRatePerSubtask! * config.targetUtilization) : 0);
  const capped = Math.min(Math.max(required, p * (1 - config.scaleDownMaxFactor)), p * (1 + config.scaleUpMaxFactor));
  const bounded = Math.min(Math.max(capped, lower), upper);
  const units = v.inputs.length === 0 ? v.partitions : v.keyed ? v.maxParallelism : undefined;
  const recommended = Math.max(lower, alignParallelism(bounded, units, upper));
  const slotBound = required > slotLimit && upper === slotLimit ? `, more than the ${slotLimit} slots of the fixed TaskManagers (spec.taskManager.replicas)` : '';
  const rising = trendRate > 0 ? ` + ${fmt(trendRate)} records/s of rise until the next decision takes effect` : '';
  const why = `utilization ${fmt(utilization)} at ${fmt(targetRate)} records/s target${rising}, ${trueRatePerSubtask === undefined ? 'no' : fmt(trueRatePerSubtask)} records/s per subtask; needs ${fmt(required)} subtasks${slotBound}`;
  if (recommended === p) return keep(required > upper || required < lower ? 'AtLimit' : 'WithinBoundary', `${why}, ${p} after bounds and alignment`, utilization);
  const direction = recommended > p ? 'up' : 'down';
  return { ...figures, utilization, recommended, direction, reason: direction === 'up' ? 'ScaleUp' : 'ScaleDown', message: `${why} -> ${recommended}` };
}

function isCatchingUp(lag: number | undefined, inputRate: number, config: AutoscalerConfig): boolean {
  if (config.catchUpDurationMs <= 0 || !lag) return false;
  return lag > CATCHING_UP_SHARE * (config.catchUpDurationMs / 1000) * inputRate;
}

/** When the newest sample of the window that shows the source catching up was taken, or -Infinity. */
function lastCatchingUpAt(samples: readonly VertexSample[], inputRate: number, config: AutoscalerConfig): number {
  for (let i = samples.length - 1; i >= 0; i--) if (isCatchingUp(samples[i]!.lag, inputRate, config)) return samples[i]!.at;
  return -Infinity;
}

/** The configured restart time, or with tracking the longest of the recent observed ones. */
export function plannedRestartTime(config: AutoscalerConfig, history: ScalingHistory): number {
  const observed = history.restartTimesMs.slice(-RESTART_SAMPLES);
  return config.restartTimeTracking && observed.length > 0 ? Math.max(...observed) : config.restartTimeMs;
}

function result(vertices: VertexRecommendation[], pendingScaleDowns: Record<string, PendingScaleDown>, restartTimeMs: number): ScalingDecision {
  return {
    vertices,
    rescale: vertices.some((v) => v.recommended !== v.current),
    parallelism: Object.fromEntries(vertices.map((v) => [v.vertexId, v.recommended])),
    pendingScaleDowns,
    restartTimeMs,
  };
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 0));
