/**
 * Which state each subtask restores from, when a job restores from the subtask snapshots
 * of a checkpoint at the same or another parallelism (Flink's StateAssignmentOperation).
 * Keyed state goes by key group: a subtask gets every former snapshot holding a key group
 * of its new range (its backend takes exactly those). Operator `list` entries stay with
 * their subtask at the same parallelism and are dealt round-robin otherwise; `union`
 * entries go to every subtask. State of operators the new plan lacks is not assigned.
 */
import { KeyGroupRange } from '../state/key-group.ts';
import type { OperatorRestore, SubtaskRestore, SubtaskSnapshot } from './subtask-state.ts';

export interface AssignmentTarget {
  readonly operatorIds: readonly string[];
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly subtask: number;
}

export function assignSubtaskState(snapshots: readonly SubtaskSnapshot[], target: AssignmentTarget): SubtaskRestore {
  const out = new Map<string, OperatorRestore>();
  const range = KeyGroupRange.forSubtask(target.maxParallelism, target.parallelism, target.subtask);
  for (const id of target.operatorIds) {
    const former = snapshots.filter((s) => s.operators.has(id)).sort((a, b) => a.subtask - b.subtask);
    if (former.length === 0) continue;
    const states = former.map((s) => s.operators.get(id)!);
    const keyed = states.flatMap((s) => (s.keyed && [...s.keyed.keyGroups.keys()].some((kg) => range.contains(kg)) ? [s.keyed] : []));
    const list =
      former[0]!.parallelism === target.parallelism
        ? [...(former.find((s) => s.subtask === target.subtask)?.operators.get(id)!.operatorState?.list ?? [])]
        : states.flatMap((s) => s.operatorState?.list ?? []).filter((_, i) => i % target.parallelism === target.subtask);
    const union = states.flatMap((s) => s.operatorState?.union ?? []);
    out.set(id, { keyed, context: { restored: true, list, union } });
  }
  return out;
}
