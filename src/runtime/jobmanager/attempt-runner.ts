/**
 * The JobMaster's seam to one attempt of its job, wherever the attempt runs: in this process
 * (LocalAttempt) or on TaskManagers (ClusterAttempt). The JobMaster knows nothing else of
 * how an attempt executes.
 */
import type { WeirError } from '../../errors/index.ts';
import type { SubtaskCheckpointAck } from '../checkpoint/subtask-snapshot-writer.ts';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import type { ExecutionState } from '../task/execution-state.ts';
import type { SubtaskRecords, VertexMetrics } from '../task/task-group.ts';
import type { SubtaskTimestamps } from './subtask-states.ts';

export type AttemptOutcome = 'FINISHED' | 'FAILED' | 'CANCELED';

export interface JobResult {
  readonly jobName: string;
  readonly state: AttemptOutcome;
  readonly error?: WeirError;
  /** What collect() sinks received, by name. */
  readonly collected: ReadonlyMap<string, unknown[]>;
  readonly durationMs: number;
  /** Final record counts of the subtasks that ran, so they outlive the tasks' metrics. */
  readonly records?: readonly SubtaskRecords[];
}

/** What the JobMaster gives each attempt: where to restore from, and where checkpoint answers go. */
export interface AttemptContext {
  /** The directory of the checkpoint or savepoint the attempt's tasks restore from; none: a fresh start. */
  readonly restoreFrom?: string;
  /** Where the attempt's tasks write checkpoint state, in this process. */
  readonly storage: CheckpointStorage;
  readonly checkpoints: CheckpointAnswers;
}

export interface CheckpointAnswers {
  acknowledge(ack: SubtaskCheckpointAck): void;
  decline(vertexId: string, subtask: number, checkpointId: number, reason: string): void;
  /** A subtask's input ended: it waits for a final checkpoint (FLIP-147). */
  inputEnded(vertexId: string, subtask: number): void;
}

export interface AttemptRunner {
  /** Runs the attempt to its end; never rejects for a job failure (the result says FAILED). */
  run(): Promise<JobResult>;
  cancel(): void;
  /** Ends the attempt as FAILED with `error` (its tasks are cancelled). */
  fail(error: WeirError): void;
  /** Each subtask's state, by vertex id. */
  subtaskStates(): ReadonlyMap<string, readonly ExecutionState[]>;
  /** When each subtask was deployed and entered its state, by vertex id. */
  subtaskTimestamps(): ReadonlyMap<string, readonly SubtaskTimestamps[]>;
  /** Delivers a control message (a checkpoint trigger, a notification) to the attempt's running tasks, of one vertex if given. */
  sendControl(message: ControlMessage, vertexId?: string): void;
  /** Per-vertex records and watermarks, where the attempt can read them in this process. */
  vertexMetrics(): VertexMetrics[];
  /** Final record counts of the subtasks whose part of the attempt already ended. */
  endedRecords(): SubtaskRecords[];
}
