/** Running jobs in this process: what the CLI, tests and benchmarks use. */
import type { JobDefinition } from '../api/environment.ts';
import { buildJobPlan } from './graph/job-plan.ts';
import type { PlanOptions } from './graph/job-plan.ts';
import { TaskGroup } from './task/task-group.ts';
import type { TaskGroupOptions } from './task/task-group.ts';
import type { JobResult } from './jobmanager/attempt-runner.ts';

export { buildJobPlan, TaskGroup };
export type { JobResult, PlanOptions, TaskGroupOptions };
export { VirtualClock, SystemClock } from './task/clock.ts';
export { WeirError } from '../errors/index.ts';

/** Plans and runs a job in this process; resolves when it ends (never rejects for job failures). */
export async function runJob(job: JobDefinition, options: PlanOptions & TaskGroupOptions = {}): Promise<JobResult> {
  const plan = await buildJobPlan(job, options);
  return { jobName: plan.jobGraph.jobName, ...(await new TaskGroup(plan, options).run()) };
}
