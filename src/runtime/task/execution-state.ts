/**
 * The state of one subtask of one attempt, with Flink's names (ExecutionState). The
 * JobManager reports these per vertex in REST; a job counts as running, and a
 * checkpoint may be triggered, only when every subtask is RUNNING.
 */
export const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'] as const;

export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** States a subtask does not leave. */
export function isFinalExecutionState(s: ExecutionState): boolean {
  return s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';
}

/** Counts per state, every state present (Flink's `tasks` / `status-counts` shape, lower-case keys). */
export function countExecutionStates(states: Iterable<ExecutionState>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of EXECUTION_STATES) out[s.toLowerCase()] = 0;
  for (const s of states) out[s.toLowerCase()]!++;
  return out;
}

/** A vertex's state as Flink aggregates it: the state all its subtasks share, else the first of this order that one has. */
export function vertexExecutionState(states: readonly ExecutionState[]): ExecutionState {
  if (states.length > 0 && states.every((s) => s === states[0])) return states[0]!;
  for (const s of ['FAILED', 'CANCELING', 'CANCELED', 'INITIALIZING', 'RUNNING', 'FINISHED'] as const) if (states.includes(s)) return s;
  return 'CREATED';
}
