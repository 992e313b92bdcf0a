import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forUserSpec, runningSpecHash } from './scaled-spec.ts';
import type { AutoscalerStatus } from '../crd/autoscaler-schema.ts';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';

const NOW = new Date(Date.UTC(2026, 11, 3, 12));
const SPEC: StreamDeploymentSpec = { image: 'weir:1', job: { entry: '/opt/weir/job/orders.ts', parallelism: 2, upgradeMode: 'savepoint' }, autoscaler: { enabled: true } };
const STATUS: AutoscalerStatus = {
  lastRescaleTime: '2026-12-03T10:00:00.000Z',
  pendingScaleDowns: { agg: { since: '2026-12-03T11:30:00.000Z', highest: 6 } },
  appliedParallelism: { src: 4, agg: 8 },
  appliedFor: runningSpecHash(SPEC),
};

test('a new generation of the user\'s spec restarts stabilization and clears the pending scale-downs, as a rescale does', () => {
  const tuned: StreamDeploymentSpec = { ...SPEC, autoscaler: { enabled: true, scaleDownDelay: '2h' } };
  const after = forUserSpec(STATUS, tuned, true, NOW)!;
  assert.equal(after.lastSpecChangeTime, NOW.toISOString());
  assert.deepEqual(after.pendingScaleDowns, {});
  // Tuning the autoscaler restarts nothing: what was applied stays deployed.
  assert.deepEqual(after.appliedParallelism, { src: 4, agg: 8 });
});

test('the same generation keeps the pending scale-downs; a change that restarts the job also drops the applied parallelism', () => {
  assert.deepEqual(forUserSpec(STATUS, SPEC, false, NOW), STATUS);
  const rescaledByUser = forUserSpec(STATUS, { ...SPEC, job: { ...SPEC.job, parallelism: 3 } }, true, NOW)!;
  assert.deepEqual(rescaledByUser, { lastRescaleTime: STATUS.lastRescaleTime, lastSpecChangeTime: NOW.toISOString(), pendingScaleDowns: {} });
});
