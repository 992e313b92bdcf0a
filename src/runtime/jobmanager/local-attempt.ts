/** An attempt that runs every subtask of the job in this process, as one task group. */
import type { JobPlan } from '../graph/job-plan.ts';
import { TaskGroup } from '../task/task-group.ts';
import type { SubtaskRecords, TaskGroupOptions, VertexMetrics } from '../task/task-group.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import type { ExecutionState } from '../task/execution-state.ts';
import type { AttemptRunner, JobResult } from './attempt-runner.ts';
import { SubtaskStates } from './subtask-states.ts';
import type { SubtaskTimestamps } from './subtask-states.ts';

export class LocalAttempt implements AttemptRunner {
  private readonly group: TaskGroup;
  /** The tasks' states as they report them; every task starts DEPLOYING. */
  private readonly states: SubtaskStates;

  constructor(
    private readonly plan: JobPlan,
    options: TaskGroupOptions = {},
  ) {
    this.states = new SubtaskStates(plan.jobGraph, 'DEPLOYING');
    const listener = options.listener;
    this.group = new TaskGroup(plan, {
      ...options,
      listener: {
        ...listener,
        taskStateChanged: (vertexId, subtask, state) => {
          this.states.set(vertexId, subtask, state);
          listener?.taskStateChanged?.(vertexId, subtask, state);
        },
      },
    });
  }

  async run(): Promise<JobResult> {
    try {
      return { jobName: this.plan.jobGraph.jobName, ...(await this.group.run()) };
    } finally {
      // An attempt's task metrics end with it; the next attempt registers its own.
      this.group.taskMetrics?.close();
    }
  }

  cancel(): void {
    this.group.cancel();
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
