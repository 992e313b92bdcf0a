/**
 * The Flink Kubernetes operator's autoscaler rules (flink-autoscaler, 1.10+) with their
 * defaults, as the benchmark's second reference: evaluation only once a full metrics window
 * (15 min) was collected after the stabilization interval (5 min); per vertex the target
 * capacity = lag / catch-up duration + the backlog of a restart (restart.time 5 min) + input
 * rate / target utilization (0.7); no change while the processing capacity lies between the
 * capacities at utilization 0.7 +/- 0.3; scale-down at most by 60%; a vertex's parallelism
 * rounded up to a divisor of its key groups (or partitions) up to half of them; scale-downs
 * delayed by scale-down.interval (1 h) to the highest recommendation seen; none while the
 * backlog exceeds 5 minutes of input (backlog-processing.lag-threshold).
 */
import type { VertexSample } from '../../src/kube-operator/autoscaler/scaling-inputs.ts';
import { KEYED, SOURCE } from '../../test/support/autoscaler/job-model.ts';
import type { JobModelOptions } from '../../test/support/autoscaler/job-model.ts';
import type { Policy } from '../../test/support/autoscaler/simulation.ts';
import { SampleHistory } from './policies.ts';

const MIN = 60_000;
const DEFAULTS = { window: 15 * MIN, stabilization: 5 * MIN, utilization: 0.7, boundary: 0.3, catchUpS: 1800, restartS: 300, scaleDownMaxFactor: 0.6, scaleDownInterval: 60 * MIN, lagThresholdS: 300, maxParallelism: 200 };

export class FlinkPolicy implements Policy {
  readonly name = 'flink';
  private readonly history = new SampleHistory(DEFAULTS.window);
  private lastRescaleAt = 0;
  private readonly delayedScaleDown = new Map<string, { since: number; highest: number }>();

  constructor(private readonly model: JobModelOptions) {}

  evaluate(t: number, samples: Record<string, VertexSample> | undefined, current: Readonly<Record<string, number>>): Record<string, number> | undefined {
    const now = t * 1000;
    if (samples) this.history.add(samples, now);
    const collectFrom = this.lastRescaleAt + DEFAULTS.stabilization;
    if (now < collectFrom + DEFAULTS.window) return undefined;
    const window = (id: string) => this.history.of(id).filter((s) => s.at >= collectFrom);
    const src = window(SOURCE);
    const keyed = window(KEYED);
    if (src.length < 2 || keyed.length < 2) return undefined;
    const avg = (xs: VertexSample[], f: (s: VertexSample) => number) => xs.reduce((a, s) => a + f(s), 0) / xs.length;
    const lag = src.at(-1)!.lag ?? 0;
    const lagGrowth = ((src.at(-1)!.lag ?? 0) - (src[0]!.lag ?? 0)) / ((src.at(-1)!.at - src[0]!.at) / 1000);
    const inputRate = Math.max(0, avg(src, (s) => s.recordsInPerSecond) + lagGrowth);
    const catchUp = lag / DEFAULTS.catchUpS;
    const backlogged = lag > DEFAULTS.lagThresholdS * inputRate;
    const next: Record<string, number> = { ...current };
    for (const [id, xs, units] of [[SOURCE, src, this.model.partitions], [KEYED, keyed, this.model.keyGroups]] as const) {
      const p = current[id]!;
      const busy = avg(xs, (s) => s.busyTimeMsPerSecond) / 1000;
      if (busy <= 0) continue;
      const processingCapacity = (avg(xs, (s) => s.recordsInPerSecond) / busy);
      const capacityAt = (u: number, restart: boolean) => catchUp + (restart ? (inputRate * DEFAULTS.restartS) / DEFAULTS.catchUpS : 0) + inputRate / u;
      const scaleUpThreshold = capacityAt(DEFAULTS.utilization + DEFAULTS.boundary, false);
      const scaleDownThreshold = capacityAt(DEFAULTS.utilization - DEFAULTS.boundary, false);
      let wanted = p;
      if (processingCapacity < scaleUpThreshold || processingCapacity > scaleDownThreshold) {
        const factor = Math.max(capacityAt(DEFAULTS.utilization, true) / processingCapacity, 1 - DEFAULTS.scaleDownMaxFactor);
        wanted = alignFlink(Math.ceil(p * factor), units, Math.min(DEFAULTS.maxParallelism, units));
      }
      if (wanted < p) {
        if (backlogged) wanted = p;
        else {
          const d = this.delayedScaleDown.get(id) ?? { since: now, highest: wanted };
          d.highest = Math.max(d.highest, wanted);
          this.delayedScaleDown.set(id, d);
          wanted = now - d.since >= DEFAULTS.scaleDownInterval ? d.highest : p;
        }
      } else this.delayedScaleDown.delete(id);
      next[id] = wanted;
    }
    if (next[SOURCE] === current[SOURCE] && next[KEYED] === current[KEYED]) return undefined;
    this.lastRescaleAt = now;
    this.delayedScaleDown.clear();
    return next;
  }
}

/** Flink's JobVertexScaler: the first divisor of the key groups (or partitions) from n up to half of them, else n. */
function alignFlink(n: number, units: number, upper: number): number {
  const capped = Math.max(1, Math.min(n, upper));
  for (let p = capped; p <= units / 2; p++) if (units % p === 0) return Math.min(p, upper);
  return capped;
}
