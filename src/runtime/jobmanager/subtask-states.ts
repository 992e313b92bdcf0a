/**
 * The ExecutionState of every subtask of one attempt, as the JobManager knows it: set by
 * the scheduler while it waits for slots and deploys, then by what the TaskManagers report,
 * and settled when the attempt ends (a subtask that never reported an end was cancelled).
 */
import type { JobGraph } from '../graph/job-graph.ts';
import { isFinalExecutionState } from '../task/execution-state.ts';
import type { ExecutionState } from '../task/execution-state.ts';

export class SubtaskStates {
  private readonly states = new Map<string, ExecutionState[]>();

  constructor(graph: JobGraph, initial: ExecutionState = 'CREATED') {
    for (const v of graph.vertices) this.states.set(v.id, new Array<ExecutionState>(v.parallelism).fill(initial));
  }

  /** Every subtask that has not ended moves to `state`. */
  setAll(state: ExecutionState): void {
    for (const list of this.states.values()) list.forEach((s, i) => (list[i] = isFinalExecutionState(s) ? s : state));
  }

  set(vertexId: string, subtask: number, state: ExecutionState): void {
    const list = this.states.get(vertexId);
    if (list && subtask >= 0 && subtask < list.length && !isFinalExecutionState(list[subtask]!)) list[subtask] = state;
  }

  /** Subtasks `where` picks (by subtask index) that have not ended move to `state`. */
  setWhere(where: (subtask: number) => boolean, state: ExecutionState): void {
    for (const list of this.states.values()) list.forEach((s, i) => (list[i] = !isFinalExecutionState(s) && where(i) ? state : s));
  }

  /** The attempt ended: what still runs or waits finished with it (FINISHED) or was cancelled. */
  settle(outcome: 'FINISHED' | 'FAILED' | 'CANCELED'): void {
    this.setAll(outcome === 'FINISHED' ? 'FINISHED' : 'CANCELED');
  }

  all(): ReadonlyMap<string, readonly ExecutionState[]> {
    return this.states;
  }
}
