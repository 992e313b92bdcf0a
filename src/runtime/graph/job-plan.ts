/**
 * Loads a job (calls its main on a fresh environment) and builds its plan. The JobManager
 * and every TaskManager do this independently and must arrive at the same planHash.
 */
import { StreamExecutionEnvironment } from '../../api/environment.ts';
import type { JobArgs, JobDefinition } from '../../api/environment.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { buildJobGraph } from './job-graph.ts';
import type { JobGraph } from './job-graph.ts';
import { buildStreamGraph } from './stream-graph.ts';
import { PARALLELISM_OVERRIDES_KEY, applyParallelismOverrides, parseParallelismOverrides } from './parallelism-overrides.ts';
import type { StreamNode } from './stream-graph.ts';
import { createOperator } from '../operators/operator-factory.ts';

export interface JobPlan {
  readonly jobGraph: JobGraph;
  /** Vertex id -> its chain of stream nodes (with the user functions). */
  readonly chains: ReadonlyMap<string, StreamNode[]>;
  readonly config: ReadonlyMap<string, string>;
  readonly args: JobArgs;
}

export interface PlanOptions {
  args?: JobArgs;
  /** Default parallelism when the job sets none (`weir run --parallelism`). */
  parallelism?: number;
  jobName?: string;
  config?: Record<string, string>;
}

export async function buildJobPlan(job: JobDefinition, options: PlanOptions = {}): Promise<JobPlan> {
  const env = new StreamExecutionEnvironment();
  for (const [k, v] of Object.entries(options.config ?? {})) env.configure(k, v);
  const args = options.args ?? {};
  try {
    await job.main(env, args);
  } catch (err) {
    throw new WeirError('JOB_MAIN_FAILED', `the job's main function threw: ${errorMessage(err)}`, false, { cause: err });
  }
  const streamGraph = buildStreamGraph(env, options.parallelism ?? 1);
  // Build each operator once now, so invalid settings (a window size of 0, ...) fail at
  // submission with the operator's name rather than later inside a running task.
  for (const node of streamGraph.nodes) {
    try {
      createOperator(node.transformation, env.getConfiguration());
    } catch (err) {
      throw new WeirError(
        err instanceof WeirError ? err.code : 'INVALID_PLAN',
        `operator "${node.name}"${node.uid ? ` (uid "${node.uid}")` : ''}: ${errorMessage(err)}`,
        false,
        { cause: err },
      );
    }
  }
  const built = buildJobGraph(streamGraph, options.jobName ?? env.getJobName() ?? 'weir-job');
  const overrides = env.getConfiguration().get(PARALLELISM_OVERRIDES_KEY);
  const jobGraph = overrides === undefined ? built.jobGraph : applyParallelismOverrides(built.jobGraph, built.chains, parseParallelismOverrides(overrides));
  return { jobGraph, chains: built.chains, config: env.getConfiguration(), args };
}
