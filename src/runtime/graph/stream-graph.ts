/**
 * Transformations -> StreamGraph: one node per physical operator, edges with their
 * partitioner (virtual keyBy/rebalance/union/side-output transformations resolved away),
 * parallelism and operator ids settled and checked.
 */
import { createHash } from 'node:crypto';
import type { StreamExecutionEnvironment } from '../../api/environment.ts';
import type { AnyKeySelector, PartitionerKind, PhysicalTransformation, Transformation } from '../../api/transformation.ts';
import { isPhysical } from '../../api/transformation.ts';
import { WeirError } from '../../errors/index.ts';
import { DEFAULT_MAX_PARALLELISM, checkParallelism } from '../state/key-group.ts';

export interface StreamNode {
  readonly id: string;
  readonly uid: string | undefined;
  readonly name: string;
  readonly kind: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly transformation: PhysicalTransformation;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
  readonly chainingDisabled: boolean;
}

export interface StreamEdge {
  readonly source: StreamNode;
  readonly target: StreamNode;
  readonly partitioner: PartitionerKind;
  /** Which input of the target (0, or 1 for the second input of a two-input operator). */
  readonly input: number;
  readonly keySelector: AnyKeySelector | undefined;
  /** Set when the edge carries a side output of the source. */
  readonly sideOutput: string | undefined;
}

export interface StreamGraph {
  readonly nodes: StreamNode[];
  readonly chainingEnabled: boolean;
}

interface ResolvedInput {
  node: StreamNode;
  partitioner: PartitionerKind | undefined;
  keySelector: AnyKeySelector | undefined;
  sideOutput: string | undefined;
}

function hashId(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function kindOf(t: PhysicalTransformation): string {
  return t.type === 'source' ? 'source' : t.spec.kind;
}

export function buildStreamGraph(env: StreamExecutionEnvironment, defaultParallelism: number): StreamGraph {
  const envParallelism = env.getParallelism() ?? defaultParallelism;
  const envMaxParallelism = env.getMaxParallelism() ?? DEFAULT_MAX_PARALLELISM;
  const nodes = new Map<Transformation, StreamNode>();
  const uids = new Map<string, string>();
  let ordinal = 0;

  const resolve = (t: Transformation): ResolvedInput[] => {
    if (isPhysical(t)) return [{ node: nodeFor(t), partitioner: undefined, keySelector: undefined, sideOutput: undefined }];
    switch (t.type) {
      case 'partition':
        return resolve(t.input).map((r) => ({ ...r, partitioner: t.partitioner, keySelector: t.keySelector }));
      case 'union':
        return t.inputs.flatMap(resolve);
      case 'sideOutput':
        return resolve(t.input).map((r) => ({ ...r, sideOutput: t.tag.id }));
    }
  };

  const nodeFor = (t: PhysicalTransformation): StreamNode => {
    const existing = nodes.get(t);
    if (existing) return existing;
    const inputs: { resolved: ResolvedInput[]; input: number }[] =
      t.type === 'source' ? [] : t.type === 'oneInput' ? [{ resolved: resolve(t.input), input: 0 }] : [{ resolved: resolve(t.input1), input: 0 }, { resolved: resolve(t.input2), input: 1 }];
    const kind = kindOf(t);
    const parallelism = t.parallelism ?? envParallelism;
    const maxParallelism = t.maxParallelism ?? envMaxParallelism;
    checkParallelism(parallelism, maxParallelism, `operator "${t.name}"${t.uid ? ` (uid "${t.uid}")` : ''}`);
    if (t.type === 'source' && t.source.maxParallelism !== undefined && parallelism > t.source.maxParallelism) {
      throw new WeirError('INVALID_PARALLELISM', `operator "${t.name}": this source supports parallelism ${t.source.maxParallelism} at most, got ${parallelism}`, false);
    }
    let id: string;
    if (t.uid !== undefined) {
      const other = uids.get(t.uid);
      if (other !== undefined) throw new WeirError('DUPLICATE_UID', `uid "${t.uid}" is used by both "${other}" and "${t.name}"; uids must be unique within a job`, false);
      uids.set(t.uid, t.name);
      id = hashId(`uid:${t.uid}`);
    } else {
      const inputIds = inputs.flatMap((i) => i.resolved.map((r) => r.node.id)).join(',');
      id = hashId(`auto:${ordinal}:${kind}:${inputIds}`);
    }
    ordinal++;
    const node: StreamNode = { id, uid: t.uid, name: t.name, kind, parallelism, maxParallelism, transformation: t, inEdges: [], outEdges: [], chainingDisabled: t.chainingDisabled };
    nodes.set(t, node);
    for (const { resolved, input } of inputs) {
      for (const r of resolved) {
        const partitioner = r.partitioner ?? (r.node.parallelism === parallelism ? 'forward' : 'rebalance');
        if (partitioner === 'forward' && r.node.parallelism !== parallelism) {
          throw new WeirError('INVALID_PLAN', `forward() from "${r.node.name}" (parallelism ${r.node.parallelism}) to "${t.name}" (parallelism ${parallelism}) needs equal parallelism; use rebalance() or rescale()`, false);
        }
        const edge: StreamEdge = { source: r.node, target: node, partitioner, input, keySelector: r.keySelector, sideOutput: r.sideOutput };
        r.node.outEdges.push(edge);
        node.inEdges.push(edge);
      }
    }
    return node;
  };

  for (const t of env.getTransformations()) if (isPhysical(t)) nodeFor(t);
  const all = [...nodes.values()];
  if (!all.some((n) => n.kind === 'source')) {
    throw new WeirError('EMPTY_JOB', 'the job declares no source; add one with env.fromElements(...), env.fromSource(...) or similar', false);
  }
  if (!all.some((n) => n.kind === 'sink')) {
    throw new WeirError('EMPTY_JOB', 'the job declares no sink, so its results would go nowhere; add print(), collect() or sinkTo(...)', false);
  }
  return { nodes: all.sort((a, b) => a.transformation.index - b.transformation.index), chainingEnabled: env.isChainingEnabled() };
}
