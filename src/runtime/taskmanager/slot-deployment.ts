/**
 * A slot's part of one deployment, run inside the slot's worker thread: imports the job
 * module, rebuilds the plan, refuses it when its hash differs from the JobManager's,
 * connects to the slots that run the other subtasks and runs subtask `subtask` of every
 * vertex until the attempt ends.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import type { JobPlan } from '../graph/job-plan.ts';
import { connectedTargets } from '../network/channel-selector.ts';
import { loadJob } from '../graph/load-job.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { Connection } from '../network/tcp/connection.ts';
import type { EndpointAddress, NetworkEndpoint } from '../network/tcp/network-endpoint.ts';
import { TaskGroup } from '../task/task-group.ts';
import { SlotChannelFactory } from './slot-channel-factory.ts';
import type { CheckpointReport, DeploymentDescriptor, SubtaskStateReport } from '../cluster-protocol/messages.ts';
import { encodeAck } from '../checkpoint/ack-transport.ts';
import { parseCheckpointConfig } from '../checkpoint/checkpoint-config.ts';
import { CheckpointRestore } from '../checkpoint/checkpoint-restore.ts';
import { localStateCopies } from '../checkpoint/incremental/local-state-copies.ts';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.ts';
import { openCheckpointStorage, storageHolding } from '../checkpoint/storage/open-checkpoint-storage.ts';
import { attemptKey } from './slot-protocol.ts';
import type { SlotResult } from './slot-protocol.ts';

export interface SlotContext {
  tmId: string;
  endpoint: NetworkEndpoint;
  registry: MetricRegistry;
  bufferTimeoutMs: number;
  /** Whether a cancel arrived before the executor existed. */
  cancelled(): boolean;
  /** Called once the executor exists (so a cancel can reach it). */
  started(executor: TaskGroup): void;
  /** A subtask of the deployment changed state. */
  taskState(report: SubtaskStateReport): void;
  /** A subtask answered a checkpoint. */
  checkpoint(report: CheckpointReport): void;
}

function failed(err: unknown): SlotResult {
  const e = err instanceof WeirError ? err : new WeirError('DEPLOYMENT_FAILED', errorMessage(err), true);
  return { state: 'FAILED', error: { code: e.code, message: e.message, retriable: e.retriable }, collected: [], records: [] };
}

/** How long a slot keeps dialing a peer slot that does not listen (yet): one being started again. */
const CONNECT_RETRY_MS = 5_000;
const CONNECT_BACKOFF_MS = 100;

/** Dials a peer slot, retrying refused connections for a while, as Flink retries partition requests. */
async function connectToSlot(endpoint: NetworkEndpoint, address: EndpointAddress, cancelled: () => boolean): Promise<Connection> {
  const deadline = Date.now() + CONNECT_RETRY_MS;
  for (;;) {
    try {
      return await endpoint.connect(address);
    } catch (err) {
      // A cancelled attempt (its peer was lost) stops dialing at once.
      if (!(err instanceof WeirError) || err.code !== 'CONNECTION_FAILED' || Date.now() > deadline || cancelled()) throw err;
      await new Promise((r) => setTimeout(r, CONNECT_BACKOFF_MS));
    }
  }
}

/** The subtasks (other than `self`) whose slots this slot sends to, by the plan's edges. */
export function downstreamSlots(plan: JobPlan, self: number): Set<number> {
  const out = new Set<number>();
  const { vertices, edges } = plan.jobGraph;
  for (const e of edges) {
    const source = vertices.find((v) => v.id === e.source)!;
    const target = vertices.find((v) => v.id === e.target)!;
    if (self >= source.parallelism) continue;
    for (const t of connectedTargets(e.partitioner, self, source.parallelism, target.parallelism)) if (t !== self) out.add(t);
  }
  return out;
}

export async function runSlotDeployment(d: DeploymentDescriptor, subtask: number, ctx: SlotContext): Promise<SlotResult> {
  let executor: TaskGroup;
  let channels: SlotChannelFactory;
  // Storages opened for this deployment, closed when it ends.
  const opened: (() => void)[] = [];
  const release = () => {
    for (const close of opened) close();
  };
  try {
    const job = await loadJob(d.jobPath);
    const plan = await buildJobPlan(job, { parallelism: d.parallelism, args: d.args, config: d.config });
    if (plan.jobGraph.planHash !== d.planHash) {
      throw new WeirError(
        'PLAN_MISMATCH',
        `TaskManager ${ctx.tmId} built a different plan for ${d.jobPath} (hash ${plan.jobGraph.planHash.slice(0, 12)}) than the JobManager (${d.planHash.slice(0, 12)}); the job's main must build the same plan everywhere (no randomness, clock or environment-dependent branches)`,
        false,
      );
    }
    const connections = new Map<number, Connection>();
    // Only the slots this one sends to: receivers are dialed by their senders.
    for (const s of downstreamSlots(plan, subtask)) connections.set(s, await connectToSlot(ctx.endpoint, d.slotAddresses[s]!, ctx.cancelled));
    channels = new SlotChannelFactory(attemptKey(d), ctx.endpoint, subtask, connections, ctx.bufferTimeoutMs);
    const storage: CheckpointStorage = openCheckpointStorage(parseCheckpointConfig(plan.config).dir, plan.config);
    opened.push(() => storage.close());
    // Local recovery: copies kept per TaskManager, so a task that comes back here reads them.
    const localState = localStateCopies(plan.config, ctx.tmId);
    let restore: CheckpointRestore | undefined;
    if (d.restoreFrom !== undefined) {
      const source = storageHolding(storage, d.restoreFrom, plan.config);
      opened.push(source.release);
      const { dir, metadata } = await source.storage.readMetadata(d.restoreFrom);
      restore = new CheckpointRestore(source.storage, dir, metadata, plan.jobGraph, localState);
    }
    const answer = { jobId: d.jobId, attempt: d.attempt };
    executor = new TaskGroup(plan, {
      channels,
      metrics: { registry: ctx.registry, jobId: d.jobId, tmId: ctx.tmId, attemptNumber: d.attempt, jobMetrics: false },
      checkpointStorage: { storage, jobId: d.jobId },
      ...(localState ? { localState } : {}),
      restore: (vertexId, s) => restore?.forSubtask(vertexId, s),
      listener: {
        taskStateChanged: (vertexId, s, state) => ctx.taskState({ ...answer, vertexId, subtask: s, state }),
        checkpointAcknowledged: (ack) => ctx.checkpoint({ ...answer, ack: encodeAck(ack) }),
        checkpointDeclined: (vertexId, s, checkpointId, reason) => ctx.checkpoint({ ...answer, decline: { vertexId, subtask: s, checkpointId, reason } }),
        inputEnded: (vertexId, s) => ctx.checkpoint({ ...answer, inputEnded: { vertexId, subtask: s } }),
      },
    });
  } catch (err) {
    // Cancelled while loading or dialing: the attempt is over anyway, and its cause lies elsewhere.
    release();
    if (ctx.cancelled()) return { state: 'CANCELED', collected: [], records: [] };
    return failed(err);
  }
  ctx.started(executor);
  const result = await executor.run().finally(() => {
    release();
    return channels.close();
  });
  // The counts travel in the result: the task metrics end with the attempt.
  executor.taskMetrics?.close();
  const e = result.error;
  return {
    state: result.state,
    error: e ? { code: e.code, message: e.message, retriable: e.retriable, operatorName: (e as { operatorName?: string }).operatorName } : undefined,
    collected: [...result.collected],
    records: [...(result.records ?? [])],
  };
}
