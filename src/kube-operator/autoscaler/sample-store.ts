/**
 * The samples the operator has collected per StreamDeployment, kept in memory between passes
 * and trimmed to the metrics window: the decision's input. Only this is lost when the
 * operator restarts (a new leader collects a window afresh); the rest of the history is in
 * status.autoscaler.
 */
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';
import type { SourceLag } from './source-lag.ts';
import type { VertexObservation, VertexSample } from './scaling-inputs.ts';

export class SampleStore {
  private readonly samples = new Map<string, Map<string, VertexSample[]>>();

  /**
   * Adds one collection for `key` (namespace/name) and returns the vertices with their
   * samples of the last `windowMs`. `lag`: each source vertex's lag, by vertex id; a source
   * without it is decided on busy time alone.
   */
  add(key: string, vertices: readonly ObservedVertex[], lag: ReadonlyMap<string, SourceLag>, windowMs: number): VertexObservation[] {
    const byVertex = this.samples.get(key) ?? new Map<string, VertexSample[]>();
    this.samples.set(key, byVertex);
    const ids = new Set(vertices.map((v) => v.id));
    // A vertex gone from the graph (a changed job) takes its samples with it.
    for (const id of [...byVertex.keys()]) if (!ids.has(id)) byVertex.delete(id);
    return vertices.map((v) => {
      const l = lag.get(v.id);
      const sample: VertexSample = l ? { ...v.sample, lag: l.totalLag, lagMeasure: l.measure, ...(l.latestOffsets === undefined ? {} : { latestOffsets: l.latestOffsets }) } : v.sample;
      const kept = trimmed([...(byVertex.get(v.id) ?? []), sample], sample.at - windowMs);
      byVertex.set(v.id, kept);
      const { sample: _current, source: _source, reported: _reported, ...vertex } = v;
      return { ...vertex, samples: kept, ...(l ? { partitions: l.partitionCount } : {}) };
    });
  }

  /** Drops a StreamDeployment's samples: it was deleted, rescaled by its user, or autoscaling was turned off. */
  forget(key: string): void {
    this.samples.delete(key);
  }
}

/**
 * The samples after `since`, and the newest one at or before it: that one shows how long the
 * vertex has been observed, which a scale-down's full metrics window asks for (without it
 * the oldest sample kept is always younger than the window).
 */
function trimmed(samples: VertexSample[], since: number): VertexSample[] {
  const before = samples.findLastIndex((s) => s.at <= since);
  return before < 0 ? samples : samples.slice(before);
}
