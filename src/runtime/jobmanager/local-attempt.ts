/** An attempt that runs every subtask of the job in this process, as one task group. */
import type { WeirError } from '../../errors/index.ts';
import { CheckpointRestore } from '../checkpoint/checkpoint-restore.ts';
import { localStateCopies } from '../checkpoint/incremental/local-state-copies.ts';
import type { LocalStateCopies } from '../checkpoint/incremental/local-state-copies.ts';
import { storageHolding } from '../checkpoint/storage/open-checkpoint-storage.ts';
import type { JobPlan } from '../graph/job-plan.ts';
import { TaskGroup } from '../task/task-group.ts';
import type { SubtaskRecords, TaskGroupOptions, VertexMetrics } from '../task/task-group.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import type { ExecutionState } from '../task/execution-state.ts';
import type { AttemptContext, AttemptRunner, JobResult } from './attempt-runner.ts';
import { SubtaskStates } from './subtask-states.ts';
import type { SubtaskTimestamps } from './subtask-states.ts';

export interface LocalAttemptOptions {
  /** Task group options other than those the attempt sets (restore, checkpoint storage, listener). */
  group?: Omit<TaskGroupOptions, 'restore' | 'checkpointStorage' | 'listener'>;
  jobId: string;
  context: AttemptContext;
}

export class LocalAttempt implements AttemptRunner {
  private readonly group: TaskGroup;
  private restore: CheckpointRestore | undefined;
  /** The tasks' states as they report them; every task starts DEPLOYING. */
  private readonly states: SubtaskStates;
  /** With local recovery: this process is the TaskManager, so its copies are named after the job's process. */
  readonly localState: LocalStateCopies | undefined;

  constructor(
    private readonly plan: JobPlan,
    private readonly options: LocalAttemptOptions,
  ) {
    this.states = new SubtaskStates(plan.jobGraph, 'DEPLOYING');
    const answers = options.context.checkpoints;
    this.localState = localStateCopies(plan.config, `local-${process.pid}`);
    this.group = new TaskGroup(plan, {
      ...options.group,
      checkpointStorage: { storage: options.context.storage, jobId: options.jobId },
      ...(this.localState ? { localState: this.localState } : {}),
      restore: (vertexId, subtask) => this.restore?.forSubtask(vertexId, subtask),
      listener: {
        taskStateChanged: (vertexId, subtask, state) => this.states.set(vertexId, subtask, state),
        checkpointAcknowledged: (ack) => answers.acknowledge(ack),
        checkpointDeclined: (vertexId, subtask, id, reason) => answers.decline(vertexId, subtask, id, reason),
        inputEnded: (vertexId, subtask) => answers.inputEnded(vertexId, subtask),
      },
    });
  }

  async run(): Promise<JobResult> {
    let release = () => undefined as void;
    try {
      const from = this.options.context.restoreFrom;
      if (from !== undefined) {
        // A savepoint may lie in another storage than the job's checkpoints.
        const source = storageHolding(this.options.context.storage, from, this.plan.config);
        release = source.release;
        const { dir, metadata } = await source.storage.readMetadata(from);
        this.restore = new CheckpointRestore(source.storage, dir, metadata, this.plan.jobGraph, this.localState);
      }
      return { jobName: this.plan.jobGraph.jobName, ...(await this.group.run()) };
    } finally {
      release();
      // An attempt's task metrics end with it; the next attempt registers its own.
      this.group.taskMetrics?.close();
    }
  }

  cancel(): void {
    this.group.cancel();
  }

  fail(error: WeirError): void {
    this.group.fail(error);
  }

  subtaskStates(): ReadonlyMap<string, readonly ExecutionState[]> {
    return this.states.all();
  }

  subtaskTimestamps(): ReadonlyMap<string, readonly SubtaskTimestamps[]> {
    return this.states.timestamps();
  }

  sendControl(message: ControlMessage, vertexId?: string): void {
    this.group.post(message, (t) => vertexId === undefined || t.vertexId === vertexId);
  }

  vertexMetrics(): VertexMetrics[] {
    return this.group.metrics();
  }

  endedRecords(): SubtaskRecords[] {
    return [];
  }
}
