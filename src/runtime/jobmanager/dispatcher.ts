/** The JobManager's registry of jobs: submits, finds and lists them. */
import type { JobDefinition } from '../../api/environment.ts';
import { WeirError } from '../errors.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import type { PlanOptions } from '../graph/job-plan.ts';
import { JobMaster } from './job-master.ts';
import { ClusterAttempt } from '../cluster/cluster-attempt.ts';
import type { TaskManagerRegistry } from '../cluster/task-manager-registry.ts';

export interface ClusterOptions {
  registry: TaskManagerRegistry;
  /** `slot.request.timeout` */
  slotWaitMs?: number;
}

export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();
  readonly startedAt = Date.now();

  /** With `cluster`, jobs run on registered TaskManagers; otherwise in this process. */
  constructor(readonly cluster?: ClusterOptions) {}

  /** `jobPath` is needed on a cluster: TaskManagers import the job module themselves. */
  async submit(job: JobDefinition, options: PlanOptions & { jobPath?: string } = {}): Promise<JobMaster> {
    const plan = await buildJobPlan(job, options);
    const cluster = this.cluster;
    if (cluster && !options.jobPath) throw new WeirError('INVALID_ARGUMENTS', 'a job on a cluster needs the path of its module, which TaskManagers import', false);
    const runner = cluster
      ? (jobId: string, attempt: number) =>
          new ClusterAttempt(cluster.registry, plan, {
            jobId,
            attempt,
            jobPath: options.jobPath!,
            args: { ...(options.args ?? {}) },
            parallelism: options.parallelism,
            config: options.config ?? {},
            slotWaitMs: cluster.slotWaitMs ?? 300_000,
          })
      : undefined;
    const master = new JobMaster(plan, Date.now, undefined, runner);
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
