/**
 * What the JobManager and TaskManagers say to each other, over the JobManager's HTTP
 * port. A TaskManager registers, then heartbeats (liveness, and its reports on attempts and
 * subtask states, sent at once when there is news); and it keeps one request for commands
 * open, which the JobManager answers as soon as it has a command (deploy, cancel, a control
 * message for running tasks), so commands never wait for a heartbeat.
 */
import type { ErrorCode } from '../../errors/index.ts';
import type { EndpointAddress } from '../network/tcp/network-endpoint.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import type { ExecutionState } from '../task/execution-state.ts';
import type { SubtaskRecords } from '../task/task-group.ts';

/** A failure as it travels between processes; `retriable` is true when left out. */
export interface ErrorReport {
  code: ErrorCode;
  message: string;
  retriable?: boolean;
  operatorName?: string;
}

export interface RegistrationRequest {
  id: string;
  slots: number;
  /** Where the TaskManager's data-plane endpoint listens. */
  data: EndpointAddress;
  /** Where the TaskManager serves GET /metrics. */
  metrics?: EndpointAddress;
  /**
   * Where each slot's data-plane endpoint listens (slots run in their own worker
   * threads, each with its own endpoint). Without it every slot uses `data`.
   */
  slotData?: EndpointAddress[];
}

export interface RegistrationResponse {
  heartbeatIntervalMs: number;
}

/** One attempt of one job on one TaskManager. */
export interface DeploymentDescriptor {
  jobId: string;
  attempt: number;
  /** The job module, imported by every process (the same file in every image). */
  jobPath: string;
  args: Record<string, string>;
  parallelism: number | undefined;
  config: Record<string, string>;
  /** The JobManager's plan; a TaskManager whose own plan differs refuses the deployment. */
  planHash: string;
  /** slotOwners[s] runs subtask s of every vertex (Flink's default slot sharing). */
  slotOwners: string[];
  /** slotIndexes[s]: the slot of that TaskManager that runs subtask s. */
  slotIndexes: number[];
  /** slotAddresses[s]: the data endpoint of the slot that runs subtask s. */
  slotAddresses: EndpointAddress[];
  /** The checkpoint or savepoint directory the tasks restore from; none: a fresh start. */
  restoreFrom?: string;
}

export type AttemptState = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export interface AttemptReport {
  jobId: string;
  attempt: number;
  state: AttemptState;
  error?: ErrorReport;
  /** Values of collect() sinks run on this TaskManager, when the attempt finished. */
  collected?: [string, unknown[]][];
  /** Final record counts of this TaskManager's subtasks, when the attempt ended. */
  records?: SubtaskRecords[];
}


/** A subtask of an attempt moved to another state. */
export interface SubtaskStateReport {
  jobId: string;
  attempt: number;
  vertexId: string;
  subtask: number;
  state: ExecutionState;
}

/** A subtask's answer to a checkpoint: its acknowledgement, or why it declined. */
export interface CheckpointReport {
  jobId: string;
  attempt: number;
  /** The acknowledgement, encoded (checkpoint/ack-transport.ts). */
  ack?: string;
  decline?: { vertexId: string; subtask: number; checkpointId: number; reason: string };
  /** The subtask's input ended; it waits for a final checkpoint. Sent before its answer to that checkpoint. */
  inputEnded?: { vertexId: string; subtask: number };
}

export interface HeartbeatRequest {
  reports: AttemptReport[];
  tasks?: SubtaskStateReport[];
  checkpoints?: CheckpointReport[];
}

export interface HeartbeatResponse {
  /** The JobManager no longer knows this TaskManager (it timed out): register again. */
  unknown?: boolean;
}

export type TaskManagerCommand =
  | { type: 'deploy'; deployment: DeploymentDescriptor }
  | { type: 'cancel'; jobId: string; attempt: number }
  /** For the running tasks of an attempt (of one vertex, when given). */
  | { type: 'control'; jobId: string; attempt: number; vertexId?: string; message: ControlMessage };

/** The answer to a TaskManager's open request for commands. */
export interface CommandsResponse {
  commands: TaskManagerCommand[];
  /** The JobManager no longer knows this TaskManager (it timed out): register again. */
  unknown?: boolean;
  /** The JobManager is shutting down: expect no answers until it is back. */
  shuttingDown?: boolean;
}
