/**
 * Flink's `pipeline.jobvertex-parallelism-overrides`: `vertexId:parallelism,...` sets a
 * vertex's parallelism apart from the job's default. Applied to the JobGraph after chaining,
 * as Flink does, so a chain keeps its shape and a vertex id (its head operator's id, which
 * does not depend on parallelism) names the same vertex in every run of the same plan, and
 * is the id `GET /jobs/:id` shows. A forward edge between vertices that now differ becomes
 * rebalance. Ids the graph does not have are ignored, as Flink ignores them: an override
 * written for an earlier version of the job must not stop the new one.
 */
import { WeirError } from '../../errors/index.ts';
import { checkParallelism } from '../state/key-group.ts';
import { planHashOf } from './job-graph.ts';
import type { JobGraph } from './job-graph.ts';
import type { StreamNode } from './stream-graph.ts';

export const PARALLELISM_OVERRIDES_KEY = 'pipeline.jobvertex-parallelism-overrides';

/** `a:2, b:4` -> {a: 2, b: 4}; an empty value is no overrides. */
export function parseParallelismOverrides(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const colon = entry.lastIndexOf(':');
    const id = entry.slice(0, colon).trim();
    const value = entry.slice(colon + 1).trim();
    const parallelism = /^\d+$/.test(value) ? Number(value) : NaN;
    if (colon <= 0 || id === '' || !(parallelism >= 1)) {
      throw new WeirError('INVALID_CONFIGURATION', `${PARALLELISM_OVERRIDES_KEY}: "${entry}" is not vertexId:parallelism (a whole number >= 1)`, false);
    }
    if (out.has(id)) throw new WeirError('INVALID_CONFIGURATION', `${PARALLELISM_OVERRIDES_KEY}: vertex ${id} is given twice`, false);
    out.set(id, parallelism);
  }
  return out;
}

/** The configuration value, ids sorted so equal overrides render equal. */
export function formatParallelismOverrides(overrides: Readonly<Record<string, number>>): string {
  return Object.keys(overrides)
    .sort()
    .map((id) => `${id}:${overrides[id]}`)
    .join(',');
}

/** The graph with the overrides applied and its plan hash recomputed; the same graph when none apply. */
export function applyParallelismOverrides(graph: JobGraph, chains: ReadonlyMap<string, StreamNode[]>, overrides: ReadonlyMap<string, number>): JobGraph {
  if (!graph.vertices.some((v) => overrides.has(v.id) && overrides.get(v.id) !== v.parallelism)) return graph;
  const vertices = graph.vertices.map((v) => {
    const parallelism = overrides.get(v.id);
    if (parallelism === undefined || parallelism === v.parallelism) return v;
    const where = `${PARALLELISM_OVERRIDES_KEY}: vertex ${v.id} ("${v.name}")`;
    checkParallelism(parallelism, v.maxParallelism, where);
    const head = chains.get(v.id)?.[0]?.transformation;
    const sourceMax = head?.type === 'source' ? head.source.maxParallelism : undefined;
    if (sourceMax !== undefined && parallelism > sourceMax) {
      throw new WeirError('INVALID_PARALLELISM', `${where}: this source supports parallelism ${sourceMax} at most, got ${parallelism}`, false);
    }
    return { ...v, parallelism };
  });
  const parallelismOf = new Map(vertices.map((v) => [v.id, v.parallelism]));
  const edges = graph.edges.map((e) => (e.partitioner === 'forward' && parallelismOf.get(e.source) !== parallelismOf.get(e.target) ? { ...e, partitioner: 'rebalance' as const } : e));
  return { jobName: graph.jobName, planHash: planHashOf({ vertices, edges }), vertices, edges };
}
