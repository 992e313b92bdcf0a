/** An attempt that runs every subtask of the job in this process, as one task group. */
import type { JobPlan } from '../graph/job-plan.ts';
import { TaskGroup } from '../task/task-group.ts';
import type { SubtaskRecords, TaskGroupOptions, VertexMetrics } from '../task/task-group.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import type { ExecutionState } from '../task/execution-state.ts';
import type { AttemptRunner, JobResult } from './attempt-runner.ts';

export class LocalAttempt implements AttemptRunner {
  private readonly group: TaskGroup;

  constructor(
    private readonly plan: JobPlan,
    options: TaskGroupOptions = {},
  ) {
    this.group = new TaskGroup(plan, options);
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
    const out = new Map<string, ExecutionState[]>(this.plan.jobGraph.vertices.map((v) => [v.id, []]));
    for (const t of this.group.subtaskStates()) out.get(t.vertexId)![t.subtask] = t.state;
    return out;
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
