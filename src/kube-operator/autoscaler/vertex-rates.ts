/**
 * The rates a decision is made from, per vertex, over the samples of the metrics window.
 * A source's input rate is what arrives at its partitions: the growth of their latest
 * offsets, or what it read plus how fast its lag grew. Downstream vertices get their upstreams' input and catch-up rates multiplied by
 * each upstream's observed output per input record, so a vertex behind a lagging source is
 * sized for what will reach it once the source reads faster, not for what reaches it now.
 */
import { WeirError } from '../../errors/index.ts';
import type { VertexObservation, VertexSample } from './scaling-inputs.ts';

export interface VertexRates {
  /** Averages over the window, as observed. */
  observedIn: number;
  observedOut: number;
  /** 0..1. */
  busyRatio: number;
  backPressuredRatio: number;
  /** Records per second that will arrive (sources: read + lag growth; others: propagated). */
  inputRate: number;
  /** Records per second on top of the input to drain lag within the catch-up duration. */
  catchUpRate: number;
  /**
   * How fast the input rate rises, records/s per second: the slope of a source's arrival over
   * the window when positive and significant against its noise, else 0; downstream, propagated.
   */
  inputTrend: number;
  /** Sources: records behind, as the newest sample that has a lag says. */
  lag?: number;
  /** Sources: the window had a lag but the newest sample has none (it could not be read this time). */
  lagUnknown?: boolean;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * `windows`: each vertex's samples within the window, oldest first; every vertex has at least
 * one. A source's input rate is the higher of the window's and that between its newest two samples.
 */
export function vertexRates(vertices: readonly VertexObservation[], windows: ReadonlyMap<string, readonly VertexSample[]>, catchUpDurationMs: number): Map<string, VertexRates> {
  const out = new Map<string, VertexRates>();
  for (const v of topological(vertices)) {
    const samples = windows.get(v.id) ?? [];
    const observedIn = mean(samples.map((s) => s.recordsInPerSecond));
    const observedOut = mean(samples.map((s) => s.recordsOutPerSecond));
    const busyRatio = mean(samples.map((s) => s.busyTimeMsPerSecond)) / 1000;
    const backPressuredRatio = mean(samples.map((s) => s.backPressuredTimeMsPerSecond)) / 1000;
    const base = { observedIn, observedOut, busyRatio, backPressuredRatio };
    if (v.inputs.length === 0) {
      // A sample without a lag (not readable that time) neither counts as lag 0 nor breaks the
      // lag's growth: the rates use the samples that have one, measured as the newest was.
      const newest = samples.findLast((x) => x.lag !== undefined);
      const measured = newest ? samples.filter((x) => x.lag === undefined || x.lagMeasure === newest.lagMeasure) : samples;
      const withLag = measured.filter((x) => x.lag !== undefined);
      const first = withLag.length >= 2 ? withLag[0] : samples[0];
      const last = withLag.length >= 2 ? withLag.at(-1) : samples.at(-1);
      const lag = newest?.lag ?? 0;
      const spanS = first && last ? (last.at - first.at) / 1000 : 0;
      // Up fast, down slow: a rise shows between the newest two samples long before it moves the average.
      const recent = withLag.length >= 2 ? withLag.slice(-2) : samples.slice(-2);
      const recentIn = recent.length >= 2 ? arrivalRate(recent[0], recent.at(-1), (recent.at(-1)!.at - recent[0]!.at) / 1000, mean(recent.map((s) => s.recordsInPerSecond))) : 0;
      const lagUnknown = newest !== undefined && samples.at(-1)!.lag === undefined;
      out.set(v.id, { ...base, inputRate: Math.max(0, arrivalRate(first, last, spanS, observedIn), recentIn), catchUpRate: catchUpDurationMs > 0 ? lag / (catchUpDurationMs / 1000) : 0, inputTrend: risingTrend(measured), lag, ...(lagUnknown ? { lagUnknown } : {}) });
      continue;
    }
    // Records reach v as its upstreams emit them; v's share of what they emit is as observed.
    let emitted = 0;
    let emittedAtTarget = 0;
    let catchUpEmitted = 0;
    let trendEmitted = 0;
    for (const id of v.inputs) {
      const u = out.get(id)!;
      const gain = u.observedIn > 0 ? u.observedOut / u.observedIn : 1;
      emitted += u.observedOut;
      emittedAtTarget += gain * u.inputRate;
      catchUpEmitted += gain * u.catchUpRate;
      trendEmitted += gain * u.inputTrend;
    }
    const share = emitted > 0 ? observedIn / emitted : 1;
    out.set(v.id, { ...base, inputRate: share * emittedAtTarget, catchUpRate: share * catchUpEmitted, inputTrend: share * trendEmitted });
  }
  return out;
}

/**
 * Records per second arriving at a source's partitions: the growth of their latest offsets
 * when known; else what it read plus how fast its lag grew (a committed lag jumps at every
 * checkpoint, as the committed offsets do, so it is only as good as the window is long;
 * pendingRecords follows the readers' positions); what it read alone when either end has no
 * lag, or lags measured differently.
 */
function arrivalRate(first: VertexSample | undefined, last: VertexSample | undefined, spanS: number, observedIn: number): number {
  if (!first || !last || spanS <= 0) return observedIn;
  if (first.latestOffsets !== undefined && last.latestOffsets !== undefined) return (last.latestOffsets - first.latestOffsets) / spanS;
  if (first.lag === undefined || last.lag === undefined || first.lagMeasure !== last.lagMeasure) return observedIn;
  return observedIn + (last.lag - first.lag) / spanS;
}

/** A slope counts when it is this many standard errors above zero (about 97.5% one-sided). */
export const TREND_SIGNIFICANCE = 2;

/**
 * The least-squares slope of the arrival rate between consecutive samples against time, in
 * records/s per second, when it is positive and TREND_SIGNIFICANCE standard errors above 0;
 * else 0: flat input with noise has no trend to plan for, and a falling one is never acted on early.
 */
export function risingTrend(samples: readonly VertexSample[]): number {
  const points: { t: number; rate: number }[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const spanS = (b.at - a.at) / 1000;
    if (spanS > 0) points.push({ t: (a.at + b.at) / 2000, rate: arrivalRate(a, b, spanS, (a.recordsInPerSecond + b.recordsInPerSecond) / 2) });
  }
  // A slope and its standard error need at least three points.
  if (points.length < 3) return 0;
  const tMean = mean(points.map((p) => p.t));
  const rateMean = mean(points.map((p) => p.rate));
  const sxx = points.reduce((sum, p) => sum + (p.t - tMean) ** 2, 0);
  if (sxx === 0) return 0;
  const slope = points.reduce((sum, p) => sum + (p.t - tMean) * (p.rate - rateMean), 0) / sxx;
  const residuals = points.reduce((sum, p) => sum + (p.rate - rateMean - slope * (p.t - tMean)) ** 2, 0);
  const standardError = Math.sqrt(residuals / (points.length - 2) / sxx);
  return slope > 0 && slope > TREND_SIGNIFICANCE * standardError ? slope : 0;
}

/** Upstreams before downstreams; a cycle or an unknown input is a bug in the caller. */
export function topological(vertices: readonly VertexObservation[]): VertexObservation[] {
  const byId = new Map(vertices.map((v) => [v.id, v]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: VertexObservation[] = [];
  const visit = (v: VertexObservation) => {
    if (done.has(v.id)) return;
    if (visiting.has(v.id)) throw new WeirError('AUTOSCALER_INPUT_INVALID', `the job graph has a cycle through vertex ${v.id}`, false);
    visiting.add(v.id);
    for (const id of v.inputs) {
      const u = byId.get(id);
      if (!u) throw new WeirError('AUTOSCALER_INPUT_INVALID', `vertex ${v.id} names an input ${id} that is not in the job graph`, false);
      visit(u);
    }
    visiting.delete(v.id);
    done.add(v.id);
    order.push(v);
  };
  vertices.forEach(visit);
  return order;
}
