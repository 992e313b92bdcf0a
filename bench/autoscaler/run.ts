/**
 * `npm run bench:autoscaler`: a simulation, no servers. One simulated day per load curve of a
 * two-vertex job reading Kafka (test/support/autoscaler/), scaled by the operator's autoscaler, by a
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
import { DAY_S, loadCurves } from '../../test/support/autoscaler/load-curves.ts';
import type { LoadCurve } from '../../test/support/autoscaler/load-curves.ts';
import type { JobModelOptions } from '../../test/support/autoscaler/job-model.ts';
import { OperatorAutoscaler } from '../../test/support/autoscaler/operator-loop.ts';
import { simulate } from '../../test/support/autoscaler/simulation.ts';
import type { Policy, RunResult } from '../../test/support/autoscaler/simulation.ts';
import { FlinkPolicy } from './flink-rules.ts';
import { KedaPolicy } from './policies.ts';

export const MODEL: JobModelOptions = { partitions: 64, keyGroups: 128, sourceCapacity: 20_000, keyedCapacity: 1_000, restartS: 60, checkpointIntervalS: 60, busyNoise: 0.05 };
const INITIAL_PARALLELISM = 4;

function policies(): Policy[] {
  return [
    new OperatorAutoscaler(MODEL),
    // lagThreshold: the most committed-offset lag one replica carries at 70% of its capacity (a checkpoint interval's reading).
    new KedaPolicy({ lagThreshold: Math.round(0.7 * MODEL.keyedCapacity * MODEL.checkpointIntervalS), maxReplicas: MODEL.partitions, scaleDownStabilizationS: 300 }),
    new FlinkPolicy(MODEL),
  ];
}

export function runAll(sloS: number): { curve: LoadCurve; results: RunResult[]; met: boolean }[] {
  return loadCurves().map((curve) => {
    const results = policies().map((p) => simulate(curve, p, { model: MODEL, durationS: DAY_S, initialParallelism: INITIAL_PARALLELISM, sloS }));
    const [weir, ...others] = results;
    const met = others.every((o) => weir!.rescales.length < o.rescales.length && weir!.secondsAboveSlo <= o.secondsAboveSlo && weir!.coreHours <= 1.1 * o.coreHours);
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
      console.log(`${r.policy.padEnd(8)}${pad(r.rescales.length, 10)}${pad((r.secondsAboveSlo / 60).toFixed(1), 10)}${pad(r.maxLagS.toFixed(0), 11)}${pad(r.drainS.toFixed(0), 9)}${pad(r.coreHours.toFixed(1), 9)}${pad((r.coreHours / r.idealCoreHours).toFixed(2), 9)}`);
    }
    console.log(`target (fewer rescales, no more time above SLO, <= 110% core-hours than both): ${verdict(met)}`);
  }
}

if (isMain(import.meta.url)) main();
