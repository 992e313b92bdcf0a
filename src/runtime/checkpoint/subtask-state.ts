/**
 * What one subtask's state looks like in a checkpoint, and what it restores from. A
 * snapshot holds, per operator of the subtask's chain (by operator id, which `.uid()`
 * keeps stable), the keyed state of its key groups and its own operator state.
 */
import type { KeyedStateSnapshot } from '../state/snapshot/keyed-state-snapshot.ts';
import type { KeyedStateCapture } from '../state/keyed-state-backend.ts';
import type { OperatorStateSnapshot, StateInitializationContext } from '../state/operator-state.ts';

export interface OperatorSubtaskState {
  /** Captured at the barrier; encoded in the asynchronous part of the checkpoint. */
  readonly keyed?: KeyedStateCapture;
  readonly operatorState?: OperatorStateSnapshot;
}

/** One subtask's acknowledgement of a checkpoint. */
export interface SubtaskSnapshot {
  readonly vertexId: string;
  readonly subtask: number;
  /** The vertex's parallelism when the snapshot was taken. */
  readonly parallelism: number;
  readonly checkpointId: number;
  /** A savepoint's snapshot is always full, whatever `state.backend.incremental` says. */
  readonly savepoint?: boolean;
  /** By operator id; an operator with no state has no entry. */
  readonly operators: ReadonlyMap<string, OperatorSubtaskState>;
  /** How long the task stopped processing to take the snapshot. */
  readonly syncDurationMs: number;
  /** From the first barrier to the last on the task's inputs (0 at a source). */
  readonly alignmentDurationMs: number;
}

/** What one operator of one subtask restores from. */
export interface OperatorRestore {
  /** Keyed state of every former subtask that holds key groups this subtask now owns. */
  readonly keyed: readonly KeyedStateSnapshot[];
  readonly context: StateInitializationContext;
  /** Key groups read from shared files (an incremental checkpoint): where each lies, so the next checkpoint can reference it. */
  readonly shared?: ReadonlyMap<number, KeyGroupOrigin>;
}

/** Where a restored key group lies: its full encoding and the deltas on it, oldest first. */
export interface KeyGroupOrigin {
  readonly base: SharedOrigin;
  readonly deltas: readonly SharedOrigin[];
  /** Bytes of the full encoding, and of the deltas together. */
  readonly baseBytes: number;
  readonly deltaBytes: number;
}

/** A shared file a restored key group was read from. */
export interface SharedOrigin {
  /** The job whose `shared/` holds it. */
  readonly jobId: string;
  readonly name: string;
  readonly checkpointId: number;
  readonly size: number;
}

/** By operator id. */
export type SubtaskRestore = ReadonlyMap<string, OperatorRestore>;
