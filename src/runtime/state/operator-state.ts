/**
 * An operator's own (non-keyed) state: what a source reader's positions, a sink writer's
 * pending transactions or an operator's bookkeeping look like in a checkpoint. As Flink's
 * operator list state, it is a list of entries per subtask that is redistributed when the
 * parallelism changes: `list` entries are split round-robin over the new subtasks, `union`
 * entries are given to every new subtask in full.
 */
export interface OperatorStateSnapshot {
  readonly list?: readonly unknown[];
  readonly union?: readonly unknown[];
}

/** What an operator restores from, handed to initializeState. */
export interface StateInitializationContext {
  /** Whether the task restores from a checkpoint or savepoint (false on a fresh start). */
  readonly restored: boolean;
  /** The `list` entries assigned to this subtask. */
  readonly list: readonly unknown[];
  /** Every subtask's `union` entries. */
  readonly union: readonly unknown[];
}

export const FRESH_START: StateInitializationContext = Object.freeze({ restored: false, list: [], union: [] });
