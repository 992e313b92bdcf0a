/** Running jobs in this process: what the CLI, tests and benchmarks use. */
import type { JobDefinition } from '../api/environment.ts';
import { buildJobPlan } from './graph/job-plan.ts';
import type { PlanOptions } from './graph/job-plan.ts';
import { LocalExecutor } from './task/local-executor.ts';
import type { ExecutorOptions, JobResult } from './task/local-executor.ts';

export { buildJobPlan, LocalExecutor };
export type { JobResult, PlanOptions, ExecutorOptions };
export { VirtualClock, SystemClock } from './task/clock.ts';
export { WeirError } from '../errors/index.ts';

/** Plans and runs a job in this process; resolves when it ends (never rejects for job failures). */
export async function runJob(job: JobDefinition, options: PlanOptions & ExecutorOptions = {}): Promise<JobResult> {
  const plan = await buildJobPlan(job, options);
  return new LocalExecutor(plan, options).run();
}
