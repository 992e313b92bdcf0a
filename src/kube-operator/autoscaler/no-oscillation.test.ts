/**
 * The no-oscillation tests: steady load with noise and a sawtooth load, a simulated
 * day each, through the operator's own autoscaler path (the sample store, the STABLE pass's
 * decision with stabilization and scale-down delay, status written and read back, applied
 * parallelism, restart time learned from each rescale's completion), fed by the deterministic
 * job model and load curves `npm run bench:autoscaler` uses. Seeded: the counts are exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_S, sawtooth, steadyWithNoise } from '../../../test/support/autoscaler/load-curves.ts';
import type { LoadCurve } from '../../../test/support/autoscaler/load-curves.ts';
import type { JobModelOptions } from '../../../test/support/autoscaler/job-model.ts';
import { OperatorAutoscaler } from '../../../test/support/autoscaler/operator-loop.ts';
import { simulate } from '../../../test/support/autoscaler/simulation.ts';

/** The benchmark's job: 64 partitions, 128 key groups, 1000 records/s per keyed subtask, 60 s per restart. */
const MODEL: JobModelOptions = { partitions: 64, keyGroups: 128, sourceCapacity: 20_000, keyedCapacity: 1_000, restartS: 60, checkpointIntervalS: 60, busyNoise: 0.05 };

function day(curve: LoadCurve, initialParallelism: number) {
  const operator = new OperatorAutoscaler(MODEL);
  const run = simulate(curve, operator, { model: MODEL, durationS: DAY_S, initialParallelism, sloS: 60 });
  return { ...run, status: operator.status, events: operator.events };
}

test('steady load +/-15% at a fitting parallelism: no rescale in a day', () => {
  // 10K/s on 16 keyed subtasks is utilization 0.63: the noise stays within the dead band.
  const run = day(steadyWithNoise(10_000, 0.15, 5), 16);
  assert.deepEqual(run.rescales, []);
  assert.deepEqual(run.finalParallelism, { source: 16, keyed: 16 });
  assert.deepEqual(run.events, []);
  // The source alone would go to 1, but that frees no slot: it waits for a rescale that does not come.
  assert.deepEqual(run.status?.vertices?.map((v) => [v.vertexId, v.reason]), [['source', 'NoSlotFreed'], ['keyed', 'WithinBoundary']]);
});

test('steady load +/-15% from too few subtasks: one scale-up, then none for the rest of the day', () => {
  const run = day(steadyWithNoise(10_000, 0.15, 5), 4);
  // Saturated at 4 (lag growing), the first two samples suffice for a scale-up; the source is not narrowed (no slot freed).
  assert.deepEqual(run.rescales, [{ t: 30, parallelism: { source: 4, keyed: 19 } }]);
  assert.deepEqual(run.finalParallelism, { source: 4, keyed: 19 });
  assert.deepEqual(run.status?.restartTimesMs, [60_000]);
  assert.equal(run.status?.lastRescaleTime, new Date(90_000).toISOString());
  assert.equal(run.events.length, 1);
  assert.match(run.events[0]!.message, /^Rescaling: KeyedAggregate 4 -> 19 /);
  assert.ok(run.secondsAboveSlo < 120, `${run.secondsAboveSlo} s above the SLO`);
});

test('sawtooth 3K-18K/s each hour: two scale-ups in the first hour, then the hourly drop never scales it down', () => {
  const run = day(sawtooth(3_000, 18_000, 3600, 0.05, 3), 4);
  // Each scale-up is sized for the ramp's rise until the next decision can take effect (stabilization + restart).
  assert.deepEqual(run.rescales, [
    { t: 255, parallelism: { source: 4, keyed: 11 } },
    { t: 1905, parallelism: { source: 4, keyed: 22 } },
  ]);
  assert.deepEqual(run.finalParallelism, { source: 4, keyed: 22 });
  assert.deepEqual(run.status?.restartTimesMs, [60_000, 60_000]);
  // 18K/s at the peak on 22 subtasks is utilization 0.82, inside the band; 3K/s after the drop lasts less than the scale-down delay.
  assert.deepEqual(run.status?.vertices?.map((v) => [v.vertexId, v.current, v.reason]), [['source', 4, 'NoSlotFreed'], ['keyed', 22, 'WithinBoundary']]);
});

test('sawtooth under other noise: at most three rescales a day, every one widening the job, none after the sixth hour', () => {
  for (const seed of [5, 8, 11]) {
    const run = day(sawtooth(3_000, 18_000, 3600, 0.05, seed), 4);
    const widths = run.rescales.map((r) => Math.max(...Object.values(r.parallelism)));
    assert.ok(run.rescales.length >= 2 && run.rescales.length <= 3, `seed ${seed}: ${JSON.stringify(run.rescales)}`);
    assert.deepEqual(widths, [...widths].sort((a, b) => a - b), `seed ${seed}: the job narrowed and widened again: ${JSON.stringify(run.rescales)}`);
    assert.ok(new Set(widths).size === widths.length, `seed ${seed}: a rescale that did not change the width`);
    assert.ok(run.rescales.at(-1)!.t < 6 * 3600, `seed ${seed}: a rescale at ${run.rescales.at(-1)!.t} s`);
    assert.deepEqual(run.finalParallelism, run.rescales.at(-1)!.parallelism);
  }
});
