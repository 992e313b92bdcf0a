/** The JobManager's registry of jobs: submits, finds and lists them. */
import type { JobDefinition } from '../../api/environment.ts';
import { WeirError } from '../../errors/index.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import type { PlanOptions } from '../graph/job-plan.ts';
import { JobMaster } from './job-master.ts';
import type { JobHaStore } from './ha/ha-services.ts';
import type { StoredJobResult } from './ha/job-result-store.ts';
import type { AttemptContext } from './attempt-runner.ts';
import { hostname } from 'node:os';
import { LocalAttempt } from './local-attempt.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { registerJobMetrics, uptimeMs } from '../metrics/job-metrics.ts';
import { checkpointMetrics } from '../checkpoint/checkpoint-metrics.ts';
import { mergePrometheusTexts } from '../metrics/merge-prometheus-text.ts';
import { ClusterAttempt } from './scheduler/cluster-attempt.ts';
import type { TaskManagerRegistry } from './scheduler/task-manager-registry.ts';

export interface ClusterOptions {
  registry: TaskManagerRegistry;
  /** `slot.request.timeout` */
  slotWaitMs?: number;
}

export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();
  readonly startedAt = Date.now();
  /** Job-level metrics, and task metrics of jobs that run in this process. */
  readonly metricRegistry = new MetricRegistry();

  /** With `cluster`, jobs run on registered TaskManagers; otherwise in this process. */
  constructor(readonly cluster?: ClusterOptions) {}

  /**
   * `jobPath` is needed on a cluster: TaskManagers import the job module themselves. `jobId`
   * and `ha` are given under high availability: the job keeps its id across JobManagers.
   * `recorded` is the job's result from the job result store: the job ended under an earlier
   * JobManager and is reported, not run.
   */
  async submit(job: JobDefinition, options: PlanOptions & { jobPath?: string; jobId?: string; ha?: JobHaStore; recorded?: StoredJobResult } = {}): Promise<JobMaster> {
    const plan = await buildJobPlan(job, options);
    const cluster = this.cluster;
    if (cluster && !options.jobPath) throw new WeirError('INVALID_ARGUMENTS', 'a job on a cluster needs the path of its module, which TaskManagers import', false);
    const runner = cluster
      ? (jobId: string, attempt: number, context: AttemptContext) =>
          new ClusterAttempt(cluster.registry, plan, context, {
            jobId,
            attempt,
            jobPath: options.jobPath!,
            args: { ...(options.args ?? {}) },
            parallelism: options.parallelism,
            config: options.config ?? {},
            slotWaitMs: cluster.slotWaitMs ?? 300_000,
          })
      : (jobId: string, attempt: number, context: AttemptContext) =>
          new LocalAttempt(plan, { jobId, context, group: { metrics: { registry: this.metricRegistry, jobId, attemptNumber: attempt, jobMetrics: false } } });
    const master = new JobMaster(plan, Date.now, options.jobId, runner, options.ha);
    registerJobMetrics(this.metricRegistry, { host: hostname(), jobId: master.jobId, jobName: master.name }, {
      numRestarts: () => master.numRestarts,
      uptime: () => uptimeMs(master.status, master.timestamps.get('RUNNING'), Date.now()),
      checkpoints: checkpointMetrics(master.checkpoints.stats),
    });
    this.jobs.set(master.jobId, master);
    if (options.recorded) master.endAsRecorded(options.recorded);
    else master.start();
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

  /**
   * Prometheus text of this JobManager and of every registered TaskManager. A
   * TaskManager that does not answer is left out of this scrape (it may be gone; its
   * loss is the heartbeat's business), so one dead process cannot break /metrics.
   */
  async metricsText(): Promise<string> {
    const own = await this.metricRegistry.metrics();
    const tms = [...(this.cluster?.registry.taskManagers.values() ?? [])].filter((tm) => tm.metrics);
    const remote = await Promise.all(
      tms.map(async (tm) => {
        try {
          const r = await fetch(`http://${tm.metrics!.host}:${tm.metrics!.port}/metrics`, { signal: AbortSignal.timeout(2000) });
          return r.ok ? await r.text() : '';
        } catch {
          return '';
        }
      }),
    );
    return mergePrometheusTexts([own, ...remote]);
  }
}
