/**
 * `npm run bench:autoscaler`: a simulation, no servers. One simulated day per load curve of a
 * two-vertex job reading Kafka (job-model.ts), scaled by Weir's decision function, by a
 * KEDA-style lag policy and by Flink's autoscaler rules (policies.ts, flink-rules.ts). Prints
 * per curve and policy: rescales, time the consumer spent more than the SLO behind, the
 * worst lag, how long a lag episode took to drain, core-hours and their ratio to the least
 * possible (every core 100% busy, no alignment loss), and whether Weir met the issue's
 * target: fewer rescales and less time above the SLO than both, at most 10% more core-hours.
 *
 *   node --import tsx bench/autoscaler/run.ts [--slo 60]
 */
import { intFlag, isMain } from '../support/args.ts';
import { machineLine, verdict } from '../support/report.ts';
import { DAY_S, loadCurves } from './load-curves.ts';
import type { LoadCurve } from './load-curves.ts';
import { JobModel } from './job-model.ts';
import type { JobModelOptions } from './job-model.ts';
import { FlinkPolicy } from './flink-rules.ts';
import { KedaPolicy, WeirPolicy } from './policies.ts';
import type { Policy } from './policies.ts';

const MODEL: JobModelOptions = { partitions: 64, keyGroups: 128, sourceCapacity: 20_000, keyedCapacity: 1_000, restartS: 60, checkpointIntervalS: 60, busyNoise: 0.05 };
const STEP_S = 5;
const EVALUATE_EVERY_S = 15;
const INITIAL_PARALLELISM = 4;

export interface RunResult {
  policy: string;
  rescales: number;
  secondsAboveSlo: number;
  maxLagS: number;
  /** Mean length of an episode above the SLO. */
  drainS: number;
  coreHours: number;
  idealCoreHours: number;
}

export function simulate(curve: LoadCurve, policy: Policy, sloS: number): RunResult {
  const job = new JobModel(MODEL, INITIAL_PARALLELISM);
  let rescales = 0;
  let secondsAboveSlo = 0;
  let maxLagS = 0;
  let episodes = 0;
  let above = false;
  let coreSeconds = 0;
  let idealCoreSeconds = 0;
  for (let t = 0; t < DAY_S; t += STEP_S) {
    const rate = curve.rate(t);
    job.step(t, STEP_S, rate);
    coreSeconds += job.cores() * STEP_S;
    idealCoreSeconds += (rate / MODEL.keyedCapacity) * STEP_S;
    const lagS = job.lag / rate;
    maxLagS = Math.max(maxLagS, lagS);
    if (lagS > sloS) {
      secondsAboveSlo += STEP_S;
      if (!above) episodes++;
    }
    above = lagS > sloS;
    if ((t + STEP_S) % EVALUATE_EVERY_S === 0) {
      const now = t + STEP_S;
      const samples = job.sample(now);
      const next = policy.evaluate(now, samples, job.parallelism, job.committedLag());
      if (next) {
        job.rescale(now, next);
        rescales++;
      }
    }
  }
  return { policy: policy.name, rescales, secondsAboveSlo, maxLagS, drainS: episodes === 0 ? 0 : secondsAboveSlo / episodes, coreHours: coreSeconds / 3600, idealCoreHours: idealCoreSeconds / 3600 };
}

function policies(): Policy[] {
  return [
    new WeirPolicy(MODEL),
    // lagThreshold: the most committed-offset lag one replica carries at 70% of its capacity (a checkpoint interval's reading).
    new KedaPolicy({ lagThreshold: Math.round(0.7 * MODEL.keyedCapacity * MODEL.checkpointIntervalS), maxReplicas: MODEL.partitions, scaleDownStabilizationS: 300 }),
    new FlinkPolicy(MODEL),
  ];
}

export function runAll(sloS: number): { curve: LoadCurve; results: RunResult[]; met: boolean }[] {
  return loadCurves().map((curve) => {
    const results = policies().map((p) => simulate(curve, p, sloS));
    const [weir, ...others] = results;
    const met = others.every((o) => weir!.rescales < o.rescales && weir!.secondsAboveSlo <= o.secondsAboveSlo && weir!.coreHours <= 1.1 * o.coreHours);
    return { curve, results, met };
  });
}

function main(): void {
  const sloS = intFlag('slo', 60);
  console.log(`Autoscaler simulation: one day per curve, ${MODEL.partitions} partitions, ${MODEL.keyGroups} key groups, ${MODEL.keyedCapacity}/s per keyed subtask, ${MODEL.restartS} s per restart, lag SLO ${sloS} s`);
  console.log(machineLine());
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  for (const { curve, results, met } of runAll(sloS)) {
    console.log(`\n${curve.name}: ${curve.what}`);
    console.log(`${'policy'.padEnd(8)}${pad('rescales', 10)}${pad('min>SLO', 10)}${pad('max lag s', 11)}${pad('drain s', 9)}${pad('core-h', 9)}${pad('x ideal', 9)}`);
    for (const r of results) {
      console.log(`${r.policy.padEnd(8)}${pad(r.rescales, 10)}${pad((r.secondsAboveSlo / 60).toFixed(1), 10)}${pad(r.maxLagS.toFixed(0), 11)}${pad(r.drainS.toFixed(0), 9)}${pad(r.coreHours.toFixed(1), 9)}${pad((r.coreHours / r.idealCoreHours).toFixed(2), 9)}`);
    }
    console.log(`target (fewer rescales, no more time above SLO, <= 110% core-hours than both): ${verdict(met)}`);
  }
}

if (isMain(import.meta.url)) main();
