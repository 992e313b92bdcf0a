/** Which downstream channel(s) a record goes to, per partitioner (as Flink's StreamPartitioners). */
import type { PartitionerKind } from '../../api/transformation.ts';
import { WeirError } from '../../errors/index.ts';

/** Downstream subtasks that upstream subtask `u` sends to under rescale (pointwise). */
export function rescaleTargets(u: number, upstream: number, downstream: number): number[] {
  if (upstream >= downstream) return [Math.floor((u * downstream) / upstream)];
  const start = Math.ceil((u * downstream) / upstream);
  const end = Math.ceil(((u + 1) * downstream) / upstream);
  const out: number[] = [];
  for (let d = start; d < end; d++) out.push(d);
  return out;
}

/** The downstream subtasks upstream subtask `u` is connected to. */
export function connectedTargets(partitioner: PartitionerKind, u: number, upstream: number, downstream: number): number[] {
  switch (partitioner) {
    case 'forward':
      if (upstream !== downstream) {
        throw new WeirError('INVALID_PLAN', `a forward edge needs equal parallelism on both sides, got ${upstream} -> ${downstream}; use rebalance() or rescale()`, false);
      }
      return [u];
    case 'rescale':
      return rescaleTargets(u, upstream, downstream);
    default:
      return Array.from({ length: downstream }, (_, i) => i);
  }
}
