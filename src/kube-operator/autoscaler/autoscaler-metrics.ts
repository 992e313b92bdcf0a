/**
 * The autoscaler's Prometheus metrics on the operator's /metrics: per StreamDeployment and
 * vertex, the parallelism it runs with and the one the last decision recommends (Flink's
 * autoscaler reports the same as PARALLELISM and RECOMMENDED_PARALLELISM per vertex).
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { VertexRecommendation } from './scaling-inputs.ts';

type VertexFigures = Pick<VertexRecommendation, 'vertexId' | 'current' | 'recommended'> & { name?: string };

export const CURRENT_PARALLELISM_METRIC = 'weir_operator_autoscaler_parallelism';
export const RECOMMENDED_PARALLELISM_METRIC = 'weir_operator_autoscaler_recommended_parallelism';

const LABELS = ['namespace', 'name', 'vertex_id', 'vertex_name'] as const;

export class AutoscalerMetrics {
  private readonly current: Gauge<(typeof LABELS)[number]>;
  private readonly recommended: Gauge<(typeof LABELS)[number]>;
  /** Label sets recorded per StreamDeployment, to remove them when it goes. */
  private readonly recorded = new Map<string, Record<(typeof LABELS)[number], string>[]>();

  constructor(registry: Registry) {
    this.current = new Gauge({ name: CURRENT_PARALLELISM_METRIC, help: 'Parallelism a vertex runs with, per StreamDeployment', labelNames: LABELS, registers: [registry] });
    this.recommended = new Gauge({ name: RECOMMENDED_PARALLELISM_METRIC, help: 'Parallelism the autoscaler\'s last decision recommends for a vertex', labelNames: LABELS, registers: [registry] });
  }

  /** The vertices of the last decision (a ScalingDecision's, or status.autoscaler's). */
  record(namespace: string, name: string, vertices: readonly VertexFigures[]): void {
    this.forget(namespace, name);
    const sets = vertices.map((v) => ({ namespace, name, vertex_id: v.vertexId, vertex_name: v.name ?? '' }));
    vertices.forEach((v, i) => {
      this.current.set(sets[i]!, v.current);
      this.recommended.set(sets[i]!, v.recommended);
    });
    this.recorded.set(`${namespace}/${name}`, sets);
  }

  /** Removes a StreamDeployment's series (deleted, or autoscaling turned off). */
  forget(namespace: string, name: string): void {
    for (const labels of this.recorded.get(`${namespace}/${name}`) ?? []) {
      this.current.remove(labels);
      this.recommended.remove(labels);
    }
    this.recorded.delete(`${namespace}/${name}`);
  }
}
