/**
 * The three policies the benchmark compares, each seeing what it would see in production:
 * - Weir: the operator's decision function (src/kube-operator/autoscaler/) with its defaults.
 * - KEDA: replicas = ceil(total lag / lagThreshold) from the Kafka scaler, through the HPA's
 *   defaults (15 s sync, 10% tolerance, scale-up by max(100%, 4 pods) per step, scale-down
 *   stabilization 300 s); every vertex runs at the replica count (Flink's reactive mode).
 * - Flink: flink-rules.ts, the Flink autoscaler's rules with its defaults.
 */
import { DEFAULT_AUTOSCALER_CONFIG } from '../../src/kube-operator/autoscaler/autoscaler-config.ts';
import type { AutoscalerConfig } from '../../src/kube-operator/autoscaler/autoscaler-config.ts';
import { decideScaling } from '../../src/kube-operator/autoscaler/decide-scaling.ts';
import type { PendingScaleDown, VertexObservation, VertexSample } from '../../src/kube-operator/autoscaler/scaling-inputs.ts';
import { KEYED, SOURCE } from './job-model.ts';
import type { JobModelOptions } from './job-model.ts';

export interface Policy {
  readonly name: string;
  /**
   * Called every 15 simulated seconds with the vertices' samples (undefined while the job
   * restarts) and the committed-offset lag (Kafka answers it during restarts too). Returns
   * the parallelism to rescale to, or undefined to leave the job as it is.
   */
  evaluate(t: number, samples: Record<string, VertexSample> | undefined, current: Readonly<Record<string, number>>, lag: number): Record<string, number> | undefined;
}

/** Samples kept per vertex, trimmed to a window. */
export class SampleHistory {
  readonly byVertex = new Map<string, VertexSample[]>();
  constructor(private readonly keepMs: number) {}
  add(samples: Record<string, VertexSample>, nowMs: number): void {
    for (const [id, s] of Object.entries(samples)) {
      const list = [...(this.byVertex.get(id) ?? []), s].filter((x) => x.at >= nowMs - this.keepMs);
      this.byVertex.set(id, list);
    }
  }
  of(id: string): VertexSample[] {
    return this.byVertex.get(id) ?? [];
  }
}

export function jobVertices(model: JobModelOptions, current: Readonly<Record<string, number>>, history: SampleHistory): VertexObservation[] {
  return [
    { id: SOURCE, name: 'Source: events', parallelism: current[SOURCE]!, maxParallelism: model.keyGroups, keyed: false, inputs: [], partitions: model.partitions, samples: history.of(SOURCE) },
    { id: KEYED, name: 'KeyedAggregate', parallelism: current[KEYED]!, maxParallelism: model.keyGroups, keyed: true, inputs: [SOURCE], samples: history.of(KEYED) },
  ];
}

export class WeirPolicy implements Policy {
  readonly name = 'weir';
  private readonly history: SampleHistory;
  private lastRescaleAt: number | undefined;
  private pending: Record<string, PendingScaleDown> = {};
  /** Restart times observed: from a rescale to the first samples after it. */
  private readonly restartTimesMs: number[] = [];
  private awaitingRestart = false;

  constructor(
    private readonly model: JobModelOptions,
    private readonly config: AutoscalerConfig = { ...DEFAULT_AUTOSCALER_CONFIG, enabled: true },
  ) {
    this.history = new SampleHistory(config.metricsWindowMs);
  }

  evaluate(t: number, samples: Record<string, VertexSample> | undefined, current: Readonly<Record<string, number>>): Record<string, number> | undefined {
    const now = t * 1000;
    if (samples) {
      this.history.add(samples, now);
      if (this.awaitingRestart) this.restartTimesMs.push(now - this.lastRescaleAt!);
      this.awaitingRestart = false;
    }
    if (this.history.of(SOURCE).length === 0) return undefined;
    const decision = decideScaling({
      config: this.config,
      now,
      vertices: jobVertices(this.model, current, this.history),
      history: { lastRescaleAt: this.lastRescaleAt, restartTimesMs: this.restartTimesMs, pendingScaleDowns: this.pending },
    });
    this.pending = decision.pendingScaleDowns;
    if (!decision.rescale) return undefined;
    this.lastRescaleAt = now;
    this.awaitingRestart = true;
    this.pending = {};
    return decision.parallelism;
  }
}

export interface KedaOptions {
  /** The Kafka scaler's lagThreshold: target lag per replica. */
  lagThreshold: number;
  maxReplicas: number;
  /** HPA behavior.scaleDown.stabilizationWindowSeconds (default 300). */
  scaleDownStabilizationS: number;
}

export class KedaPolicy implements Policy {
  readonly name = 'keda';
  private readonly recommendations: { t: number; replicas: number }[] = [];

  constructor(private readonly options: KedaOptions) {}

  evaluate(t: number, _samples: unknown, current: Readonly<Record<string, number>>, lag: number): Record<string, number> | undefined {
    const replicas = current[SOURCE]!;
    const o = this.options;
    let desired = Math.min(o.maxReplicas, Math.max(1, Math.ceil(lag / o.lagThreshold)));
    // HPA: within 10% of the target the replicas stay.
    if (Math.abs(lag / o.lagThreshold / replicas - 1) <= 0.1) desired = replicas;
    this.recommendations.push({ t, replicas: desired });
    while (this.recommendations[0]!.t < t - o.scaleDownStabilizationS) this.recommendations.shift();
    // Scale-down stabilization: the highest recommendation of the window; scale-up at most max(2x, +4) per sync.
    const stabilized = desired < replicas ? Math.min(replicas, Math.max(...this.recommendations.map((r) => r.replicas))) : Math.min(desired, Math.max(2 * replicas, replicas + 4));
    return stabilized === replicas ? undefined : { [SOURCE]: stabilized, [KEYED]: stabilized };
  }
}
