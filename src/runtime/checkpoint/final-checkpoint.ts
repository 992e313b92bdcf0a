/**
 * The JobManager's side of checkpoints after the end of input (Flink's FLIP-147). A subtask
 * whose input ended waits, RUNNING, until a checkpoint it snapshotted after the end completes;
 * only then does it commit and finish. This tracks which subtasks ended and which a completed
 * checkpoint covers since, and says when the coordinator should take one at once: when every
 * subtask has ended, so a bounded job finishes without waiting out its checkpoint interval.
 * Subtasks that already finished answer no trigger (their task group may be gone), so the
 * coordinator acknowledges for them with `finishedAck`.
 */
import type { JobGraph } from '../graph/job-graph.ts';
import type { SubtaskCheckpointAck } from './subtask-snapshot-writer.ts';

/** A subtask as the coordinator keys its acknowledgements. */
export const subtaskKey = (vertexId: string, subtask: number) => `${vertexId}/${subtask}`;

export class FinalCheckpointTracker {
  /** Subtasks whose input ended in the running attempt. */
  private readonly ended = new Set<string>();
  /** Ended subtasks a completed checkpoint holds a snapshot of, taken after the end. */
  private readonly covered = new Set<string>();

  constructor(private readonly expected: number) {}

  inputEnded(vertexId: string, subtask: number): void {
    this.ended.add(subtaskKey(vertexId, subtask));
  }

  /** Whether this acknowledgement is a snapshot taken after the subtask's end (reports arrive in order). */
  isAfterEnd(ack: SubtaskCheckpointAck): boolean {
    return this.ended.has(subtaskKey(ack.handle.vertexId, ack.handle.subtask));
  }

  /** A checkpoint completed: the subtasks that acknowledged it after their end may finish. */
  completed(afterEnd: Iterable<string>): void {
    for (const key of afterEnd) this.covered.add(key);
  }

  /** Every subtask ended and some still wait for a checkpoint: take one now, unless one is under way. */
  wantsCheckpoint(checkpointsInProgress: number): boolean {
    return checkpointsInProgress === 0 && this.ended.size === this.expected && this.covered.size < this.expected;
  }

  /** A new attempt starts from scratch. */
  reset(): void {
    this.ended.clear();
    this.covered.clear();
  }
}

/** The acknowledgement of a subtask that finished: every operator, with no state (as a finished task answers itself). */
export function finishedAck(graph: JobGraph, vertexId: string, subtask: number, checkpointId: number): SubtaskCheckpointAck | undefined {
  const v = graph.vertices.find((x) => x.id === vertexId);
  if (!v) return undefined;
  return {
    checkpointId,
    syncDurationMs: 0,
    asyncDurationMs: 0,
    alignmentDurationMs: 0,
    handle: {
      vertexId,
      subtask,
      parallelism: v.parallelism,
      file: undefined,
      stateSize: 0,
      operators: v.operators.map((o) => ({ id: o.id, uid: o.uid, keyGroups: [], maxParallelism: 0, list: [], union: [] })),
    },
  };
}
