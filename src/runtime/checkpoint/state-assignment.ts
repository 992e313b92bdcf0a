/**
 * Which state each subtask restores from, when a job restores from a checkpoint or
 * savepoint at the same or another parallelism (Flink's StateAssignmentOperation). Works
 * on the checkpoint's metadata alone. Keyed state goes by key group: a subtask gets every
 * former subtask's file that holds a key group of its new range (its backend takes exactly
 * those groups). Operator `list` entries stay with their subtask at the same parallelism and
 * are dealt round-robin otherwise; `union` entries go to every subtask. State of operators
 * the new plan lacks is not assigned (restore-rules.ts decides whether that is allowed).
 */
import { KeyGroupRange } from '../state/key-group.ts';
import type { StateInitializationContext } from '../state/operator-state.ts';
import type { SubtaskStateHandle } from './checkpoint-metadata.ts';

export interface AssignmentTarget {
  readonly operatorIds: readonly string[];
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly subtask: number;
}

/** What one operator of one subtask restores from, before its files are read. */
export interface OperatorAssignment {
  /** Keyed state files (relative to the checkpoint directory) holding key groups this subtask now owns. */
  readonly keyedFiles: readonly string[];
  /** Shared files (incremental checkpoints) holding key groups this subtask now owns, with the key groups to take from each, in full and as deltas. */
  readonly sharedFiles: readonly { readonly name: string; readonly checkpointId: number; readonly size: number; readonly keyGroups: readonly number[]; readonly deltaKeyGroups: readonly number[] }[];
  readonly context: StateInitializationContext;
}

/** By operator id. */
export type SubtaskAssignment = ReadonlyMap<string, OperatorAssignment>;

export function assignSubtaskState(handles: readonly SubtaskStateHandle[], target: AssignmentTarget): SubtaskAssignment {
  const out = new Map<string, OperatorAssignment>();
  const range = KeyGroupRange.forSubtask(target.maxParallelism, target.parallelism, target.subtask);
  for (const id of target.operatorIds) {
    const former = handles
      .flatMap((h) => {
        const op = h.operators.find((o) => o.id === id);
        return op ? [{ h, op }] : [];
      })
      .sort((a, b) => a.h.subtask - b.h.subtask);
    if (former.length === 0) continue;
    const keyedFiles = former.flatMap(({ h, op }) => (h.file !== undefined && op.keyGroups.some((kg) => range.contains(kg)) ? [h.file] : []));
    const sharedFiles = former.flatMap(({ h }) =>
      (h.shared ?? []).flatMap((r) => {
        const op = r.operators.find((o) => o.id === id);
        const keyGroups = op?.keyGroups.filter((kg) => range.contains(kg)) ?? [];
        const deltaKeyGroups = op?.deltaKeyGroups?.filter((kg) => range.contains(kg)) ?? [];
        return keyGroups.length > 0 || deltaKeyGroups.length > 0 ? [{ name: r.name, checkpointId: r.checkpointId, size: r.size, keyGroups, deltaKeyGroups }] : [];
      }),
    );
    const list =
      former[0]!.h.parallelism === target.parallelism
        ? [...(former.find(({ h }) => h.subtask === target.subtask)?.op.list ?? [])]
        : former.flatMap(({ op }) => op.list).filter((_, i) => i % target.parallelism === target.subtask);
    const union = former.flatMap(({ op }) => op.union);
    out.set(id, { keyedFiles, sharedFiles, context: { restored: true, list, union } });
  }
  return out;
}
