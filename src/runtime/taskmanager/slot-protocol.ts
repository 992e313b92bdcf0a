/**
 * What a TaskManager's main thread and its slot workers (one worker thread per slot)
 * say to each other over the worker's message port. The main thread talks to the
 * JobManager and serves /metrics; a slot worker runs subtask s of every vertex of the
 * deployments given to it and owns the data-plane endpoint of that slot.
 */
import type { ErrorCode } from '../../errors/index.ts';
import type { EndpointAddress } from '../network/tcp/network-endpoint.ts';
import type { SubtaskRecords } from '../task/task-group.ts';
import type { CheckpointReport, DeploymentDescriptor, ErrorReport, SubtaskStateReport } from '../cluster-protocol/messages.ts';
import type { ControlMessage } from '../task/control-inbox.ts';

/** `workerData` of a slot worker. */
export interface SlotWorkerData {
  /** The TypeScript module the bootstrap imports (slot-worker.ts). */
  entry: string;
  tmId: string;
  slot: number;
  host: string;
  /** Port of the slot's data endpoint; 0 picks one (a restarted worker takes its old one back). */
  port: number;
  bufferTimeoutMs: number;
}

export type ToSlot =
  /** Run subtask `subtask` of every vertex of the deployment. */
  | { type: 'deploy'; deployment: DeploymentDescriptor; subtask: number }
  | { type: 'cancel'; key: string }
  /** For the attempt's running tasks (of one vertex, when given). */
  | { type: 'control'; key: string; vertexId?: string; message: ControlMessage }
  /** Answer with the Prometheus text of the slot's registry. */
  | { type: 'metrics'; requestId: number };

/** How the slot's part of one attempt ended. */
export interface SlotResult {
  state: 'FINISHED' | 'FAILED' | 'CANCELED';
  error?: ErrorReport;
  collected: [string, unknown[]][];
  records: SubtaskRecords[];
}

export type FromSlot =
  | { type: 'ready'; address: EndpointAddress }
  /** The worker could not start (its endpoint did not listen). */
  | { type: 'startFailed'; code: ErrorCode; message: string }
  | { type: 'running'; key: string }
  /** Subtasks of the slot's attempts changed state. */
  | { type: 'taskStates'; states: SubtaskStateReport[] }
  /** A subtask answered a checkpoint. */
  | { type: 'checkpoint'; report: CheckpointReport }
  | { type: 'ended'; key: string; result: SlotResult }
  | { type: 'metrics'; requestId: number; text: string }
  | { type: 'log'; line: string };

/** `<jobId>#<attempt>`: names one attempt of one job on a TaskManager. */
export function attemptKey(d: { jobId: string; attempt: number }): string {
  return `${d.jobId}#${d.attempt}`;
}
