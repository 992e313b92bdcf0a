/** The JobManager's registry of jobs: submits, finds and lists them. */
import type { JobDefinition } from '../../api/environment.ts';
import { WeirError } from '../errors.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import type { PlanOptions } from '../graph/job-plan.ts';
import { JobMaster } from './job-master.ts';

export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();
  readonly startedAt = Date.now();

  async submit(job: JobDefinition, options: PlanOptions = {}): Promise<JobMaster> {
    const plan = await buildJobPlan(job, options);
    const master = new JobMaster(plan);
    this.jobs.set(master.jobId, master);
    master.start();
    return master;
  }

  get(jobId: string): JobMaster {
    const master = this.jobs.get(jobId);
    if (!master) throw new WeirError('JOB_NOT_FOUND', `Job ${jobId} not found`, false);
    return master;
  }

  list(): JobMaster[] {
    return [...this.jobs.values()];
  }
}
