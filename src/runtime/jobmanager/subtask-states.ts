/**
 * The ExecutionState of every subtask of one attempt, as the JobManager knows it: set by
 * the scheduler while it waits for slots and deploys, then by what the TaskManagers report,
 * and settled when the attempt ends (a subtask that never reported an end was cancelled).
 * When each subtask was deployed and last changed state is kept too: REST's times come
 * from them, as Flink's come from its executions' state timestamps.
 */
import type { JobGraph } from '../graph/job-graph.ts';
import { isFinalExecutionState } from '../task/execution-state.ts';
import type { ExecutionState } from '../task/execution-state.ts';

export interface SubtaskTimestamps {
  /** When the subtask became DEPLOYING (-1: not yet). */
  readonly deployed: number;
  /** When it entered its current state. */
  readonly changed: number;
}

export class SubtaskStates {
  private readonly states = new Map<string, ExecutionState[]>();
  private readonly stamps = new Map<string, { deployed: number; changed: number }[]>();

  constructor(
    graph: JobGraph,
    initial: ExecutionState = 'CREATED',
    private readonly now: () => number = Date.now,
  ) {
    const at = now();
    for (const v of graph.vertices) {
      this.states.set(v.id, new Array<ExecutionState>(v.parallelism).fill(initial));
      this.stamps.set(v.id, Array.from({ length: v.parallelism }, () => ({ deployed: initial === 'DEPLOYING' ? at : -1, changed: at })));
    }
  }

  /** Every subtask that has not ended moves to `state`. */
  setAll(state: ExecutionState): void {
    this.setWhere(() => true, state);
  }

  set(vertexId: string, subtask: number, state: ExecutionState): void {
    const list = this.states.get(vertexId);
    if (list && subtask >= 0 && subtask < list.length) this.change(vertexId, list, subtask, state);
  }

  /** Subtasks `where` picks (by subtask index) that have not ended move to `state`. */
  setWhere(where: (subtask: number) => boolean, state: ExecutionState): void {
    for (const [vertexId, list] of this.states) list.forEach((_, i) => where(i) && this.change(vertexId, list, i, state));
  }

  private change(vertexId: string, list: ExecutionState[], subtask: number, state: ExecutionState): void {
    const from = list[subtask]!;
    if (isFinalExecutionState(from) || from === state) return;
    list[subtask] = state;
    const stamp = this.stamps.get(vertexId)![subtask]!;
    stamp.changed = this.now();
    if (state === 'DEPLOYING' && stamp.deployed < 0) stamp.deployed = stamp.changed;
  }

  /** The attempt ended: what still runs or waits finished with it (FINISHED) or was cancelled. */
  settle(outcome: 'FINISHED' | 'FAILED' | 'CANCELED'): void {
    this.setAll(outcome === 'FINISHED' ? 'FINISHED' : 'CANCELED');
  }

  all(): ReadonlyMap<string, readonly ExecutionState[]> {
    return this.states;
  }

  timestamps(): ReadonlyMap<string, readonly SubtaskTimestamps[]> {
    return this.stamps;
  }
}

/** Flink's times of a subtask: deployed, ended (-1: not yet), and how long it ran (-1: not deployed). */
export function subtaskTimes(state: ExecutionState, stamp: SubtaskTimestamps | undefined, now: number) {
  const start = stamp?.deployed ?? -1;
  const end = stamp && isFinalExecutionState(state) ? stamp.changed : -1;
  return { 'start-time': start, 'end-time': end, duration: start >= 0 ? (end >= 0 ? end : now) - start : -1 };
}

/**
 * Flink's times of a vertex: its first subtask's deployment, and the last end once every
 * subtask ended (-1 while one runs, all -1 while none was deployed).
 */
export function vertexTimes(states: readonly ExecutionState[], stamps: readonly SubtaskTimestamps[], now: number) {
  let start = Infinity;
  let end = -1;
  let allEnded = states.length > 0;
  states.forEach((state, i) => {
    const stamp = stamps[i];
    if (stamp && stamp.deployed >= 0) start = Math.min(start, stamp.deployed);
    if (stamp) end = Math.max(end, stamp.changed);
    allEnded &&= isFinalExecutionState(state);
  });
  if (start === Infinity) return { 'start-time': -1, 'end-time': -1, duration: -1 };
  return allEnded ? { 'start-time': start, 'end-time': end, duration: end - start } : { 'start-time': start, 'end-time': -1, duration: now - start };
}
