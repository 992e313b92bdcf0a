/**
 * StreamGraph -> JobGraph: chains forward edges of equal parallelism into one vertex
 * (one task per subtask), and describes the result as plain JSON with a plan hash that
 * every process building the same job must reproduce.
 */
import { createHash } from 'node:crypto';
import type { PartitionerKind } from '../../api/transformation.ts';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.ts';

export interface JobVertex {
  id: string;
  uid: string | undefined;
  name: string;
  parallelism: number;
  maxParallelism: number;
  /** Operator ids, head first. */
  chain: string[];
  operators: { id: string; uid: string | undefined; name: string; kind: string }[];
}

export interface JobEdge {
  source: string;
  target: string;
  partitioner: PartitionerKind;
  /** The operator inside the source vertex that produces this edge's records. */
  sourceOperator: string;
  input: number;
  sideOutput?: string;
}

export interface JobGraph {
  jobName: string;
  planHash: string;
  vertices: JobVertex[];
  edges: JobEdge[];
}

function chainable(e: StreamEdge, g: StreamGraph): boolean {
  return (
    g.chainingEnabled &&
    e.partitioner === 'forward' &&
    e.sideOutput === undefined &&
    e.source.outEdges.length === 1 &&
    e.target.inEdges.length === 1 &&
    e.source.parallelism === e.target.parallelism &&
    !e.source.chainingDisabled &&
    !e.target.chainingDisabled &&
    e.target.kind !== 'source'
  );
}

/** Returns the JobGraph and, per vertex id, its chain of stream nodes. */
export function buildJobGraph(g: StreamGraph, jobName: string): { jobGraph: JobGraph; chains: Map<string, StreamNode[]> } {
  const chains = new Map<string, StreamNode[]>();
  const vertexOf = new Map<StreamNode, string>();
  for (const node of g.nodes) {
    const inbound = node.inEdges.length === 1 ? node.inEdges[0]! : undefined;
    if (inbound && chainable(inbound, g)) continue; // belongs to its predecessor's chain
    const chain = [node];
    for (let tail = node; tail.outEdges.length === 1 && chainable(tail.outEdges[0]!, g); ) {
      tail = tail.outEdges[0]!.target;
      chain.push(tail);
    }
    chains.set(node.id, chain);
    for (const n of chain) vertexOf.set(n, node.id);
  }
  const vertices: JobVertex[] = [...chains.entries()].map(([id, chain]) => ({
    id,
    uid: chain[0]!.uid,
    name: chain.map((n) => n.name).join(' -> '),
    parallelism: chain[0]!.parallelism,
    maxParallelism: chain[0]!.maxParallelism,
    chain: chain.map((n) => n.id),
    operators: chain.map((n) => ({ id: n.id, uid: n.uid, name: n.name, kind: n.kind })),
  }));
  const edges: JobEdge[] = [];
  for (const node of g.nodes) {
    for (const e of node.outEdges) {
      const source = vertexOf.get(e.source)!;
      const target = vertexOf.get(e.target)!;
      if (source === target) continue;
      edges.push({ source, target, partitioner: e.partitioner, sourceOperator: e.source.id, input: e.input, ...(e.sideOutput ? { sideOutput: e.sideOutput } : {}) });
    }
  }
  return { jobGraph: { jobName, planHash: planHashOf({ vertices, edges }), vertices, edges }, chains };
}

/** What every process building the same plan must reproduce. */
export function planHashOf(g: Pick<JobGraph, 'vertices' | 'edges'>): string {
  return createHash('sha256').update(JSON.stringify({ vertices: g.vertices, edges: g.edges })).digest('hex');
}
