/**
 * The three policies the benchmark compares, each seeing what it would see in production:
 * - Weir: the operator's own autoscaler pass with its defaults
 *   (test/support/autoscaler/operator-loop.ts, shared with the no-oscillation tests).
 * - KEDA: replicas = ceil(total lag / lagThreshold) from the Kafka scaler, through the HPA's
 *   defaults (15 s sync, 10% tolerance, scale-up by max(100%, 4 pods) per step, scale-down
 *   stabilization 300 s); every vertex runs at the replica count (Flink's reactive mode).
 * - Flink: flink-rules.ts, the Flink autoscaler's rules with its defaults.
 */
import type { VertexSample } from '../../src/kube-operator/autoscaler/scaling-inputs.ts';
import { KEYED, SOURCE } from '../../test/support/autoscaler/job-model.ts';
import type { Policy } from '../../test/support/autoscaler/simulation.ts';

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
