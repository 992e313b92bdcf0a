/**
 * Simulated time for autoscalers: a job model (job-model.ts) driven by a load curve
 * (load-curves.ts) in steps of a few seconds, sampled the way the operator samples it, with a
 * policy that may rescale it. `npm run bench:autoscaler` compares policies with it; the
 * no-oscillation tests run the operator's own autoscaler path through it.
 */
import { JobModel } from './job-model.ts';
import type { JobModelOptions } from './job-model.ts';
import type { LoadCurve } from './load-curves.ts';
import type { VertexSample } from '../../../src/kube-operator/autoscaler/scaling-inputs.ts';

export interface Policy {
  readonly name: string;
  /**
   * Called every `evaluateEveryS` simulated seconds with the vertices' samples (undefined
   * while the job restarts) and the committed-offset lag (Kafka answers it during restarts
   * too). Returns the parallelism to rescale to, or undefined to leave the job as it is.
   */
  evaluate(t: number, samples: Record<string, VertexSample> | undefined, current: Readonly<Record<string, number>>, lag: number): Record<string, number> | undefined;
}

export interface SimulationOptions {
  model: JobModelOptions;
  durationS: number;
  initialParallelism: number;
  /** Lag above this many seconds of input counts as time above the SLO. */
  sloS: number;
  stepS?: number;
  /** The operator's poll interval of a stable job: 15 s. */
  evaluateEveryS?: number;
}

export interface Rescale {
  /** Simulated seconds. */
  t: number;
  parallelism: Record<string, number>;
}

export interface RunResult {
  policy: string;
  rescales: Rescale[];
  finalParallelism: Record<string, number>;
  secondsAboveSlo: number;
  maxLagS: number;
  /** Mean length of an episode above the SLO. */
  drainS: number;
  coreHours: number;
  /** Every core fully busy, no alignment loss. */
  idealCoreHours: number;
}

export function simulate(curve: LoadCurve, policy: Policy, options: SimulationOptions): RunResult {
  const { model, sloS } = options;
  const stepS = options.stepS ?? 5;
  const evaluateEveryS = options.evaluateEveryS ?? 15;
  const job = new JobModel(model, options.initialParallelism);
  const rescales: Rescale[] = [];
  let secondsAboveSlo = 0;
  let maxLagS = 0;
  let episodes = 0;
  let above = false;
  let coreSeconds = 0;
  let idealCoreSeconds = 0;
  for (let t = 0; t < options.durationS; t += stepS) {
    const rate = curve.rate(t);
    job.step(t, stepS, rate);
    coreSeconds += job.cores() * stepS;
    idealCoreSeconds += (rate / model.keyedCapacity) * stepS;
    const lagS = job.lag / rate;
    maxLagS = Math.max(maxLagS, lagS);
    if (lagS > sloS) {
      secondsAboveSlo += stepS;
      if (!above) episodes++;
    }
    above = lagS > sloS;
    if ((t + stepS) % evaluateEveryS === 0) {
      const now = t + stepS;
      const next = policy.evaluate(now, job.sample(now), job.parallelism, job.committedLag());
      if (next) {
        job.rescale(now, next);
        rescales.push({ t: now, parallelism: { ...next } });
      }
    }
  }
  return { policy: policy.name, rescales, finalParallelism: { ...job.parallelism }, secondsAboveSlo, maxLagS, drainS: episodes === 0 ? 0 : secondsAboveSlo / episodes, coreHours: coreSeconds / 3600, idealCoreHours: idealCoreSeconds / 3600 };
}
