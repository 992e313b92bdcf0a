/**
 * The autoscaler acting through the reconciler: a decision records the parallelism to apply,
 * the next pass deploys it as a SCALE change in the job's upgrade mode (overrides in the
 * runtime configuration, TaskManagers for the widest vertex), the rescale is recorded when
 * its job runs, and a change of the user's spec wins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsOf } from './actions.ts';
import { T0, World, baseSpec, configFileOf, jobIn, summary } from '../../../test/support/kube-operator/reconcile-world.ts';
import type { VertexObservation } from '../autoscaler/scaling-inputs.ts';
import type { AutoscalerSpec } from '../crd/autoscaler-schema.ts';

const SP = '/sp/savepoint-aaaaaa-000000000001';
const AUTOSCALER: AutoscalerSpec = { enabled: true, targetUtilization: 0.5, targetUtilizationBoundary: 0.2, restartTime: '0s', stabilizationInterval: '1m' };
const sample = (t: number) => ({ at: T0 + t, recordsInPerSecond: 1000, recordsOutPerSecond: 1000, busyTimeMsPerSecond: 1000, backPressuredTimeMsPerSecond: 0 });
/** One busy source at parallelism 2: the decision is 4. */
const BUSY: VertexObservation[] = [{ id: 'v1', name: 'Source: orders', parallelism: 2, maxParallelism: 128, keyed: false, inputs: [], samples: [sample(-15_000), sample(0)] }];
const replicasOf = (w: World, name: string) => (w.children.find((c) => c.metadata.name === name)?.spec as { replicas?: number } | undefined)?.replicas;

test('a decision is applied through a savepoint upgrade: SCALE, overrides in the configuration, TaskManagers for the widest vertex; done when its job runs', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' }, { autoscaler: AUTOSCALER })).stable();
  assert.equal(w.status.lifecycleState, 'STABLE');
  w.autoscaler = BUSY;
  const decided = w.pass();
  assert.deepEqual(summary(decided), ['writeStatus STABLE', 'event ScalingReport', 'requeue 1000']);
  assert.match(actionsOf(decided, 'recordEvent')[0]!.event.message, /^Rescaling: Source: orders 2 -> 4 /);
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });
  assert.equal(w.status.autoscaler?.rescaleStartTime, new Date(T0).toISOString());

  // The next pass takes the applied parallelism as a spec change of the SCALE kind.
  w.now = T0 + 1000;
  const upgrade = w.pass();
  assert.deepEqual(summary(upgrade), ['recordTarget UPGRADING SAVEPOINTING', 'event UpgradeStarted', 'triggerSavepoint stop', 'event SavepointTriggered', 'writeStatus UPGRADING SAVEPOINTING', 'requeue 1000']);
  assert.equal(w.status.reconciliation?.upgrade?.reason, 'spec.configuration.pipeline.jobvertex-parallelism-overrides (SCALE), spec.job.parallelism (SCALE)');

  w.snapshot = { status: 'COMPLETED', location: SP };
  w.job = jobIn('FINISHED');
  w.pass();
  const config = configFileOf(w.children);
  assert.match(config, /^pipeline\.jobvertex-parallelism-overrides: "v1:4"$/m);
  assert.match(config, /^parallelism\.default: "4"$/m);
  assert.match(config, new RegExp(`^execution\\.savepoint\\.path: "${SP}"$`, 'm'));
  assert.equal(replicasOf(w, 'fraud-taskmanager'), 4);
  // The user's spec is untouched: the applied parallelism lives in status.
  assert.equal(w.sd.spec.job.parallelism, 2);

  // The rescaled job runs every task: the rescale is done, and how long it took is learned.
  w.snapshot = undefined;
  w.job = { ...jobIn('RUNNING'), id: 'b'.repeat(32) };
  w.now = T0 + 31_000;
  w.autoscaler = undefined;
  w.pass();
  assert.equal(w.status.lifecycleState, 'STABLE');
  assert.equal(w.status.autoscaler?.rescaleStartTime, undefined);
  assert.equal(w.status.autoscaler?.lastRescaleTime, new Date(T0 + 31_000).toISOString());
  assert.deepEqual(w.status.autoscaler?.restartTimesMs, [31_000]);
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });

  // Within stabilization the same load decides nothing; the applied parallelism stays deployed.
  w.autoscaler = [{ ...BUSY[0]!, parallelism: 4, samples: [sample(20_000), sample(30_000)] }];
  w.now = T0 + 40_000;
  const quiet = w.pass();
  assert.deepEqual(actionsOf(quiet, 'triggerSavepoint'), []);
  assert.deepEqual(w.status.autoscaler?.vertices?.map((v) => v.reason), ['Stabilizing']);
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });

  // Tuning the autoscaler or taking a savepoint restarts nothing: the applied parallelism stays, stabilization starts again.
  w.autoscaler = undefined;
  w.change({ savepointTriggerNonce: 1 }, { autoscaler: { ...AUTOSCALER, targetUtilization: 0.6 } });
  w.now = T0 + 50_000;
  const tuned = w.pass();
  assert.deepEqual(actionsOf(tuned, 'triggerSavepoint').map((a) => a.then), ['continue']);
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });
  assert.equal(w.status.autoscaler?.lastSpecChangeTime, new Date(T0 + 50_000).toISOString());
  assert.match(configFileOf(w.children), /^pipeline\.jobvertex-parallelism-overrides: "v1:4"$/m);

  w.snapshot = { status: 'COMPLETED', location: SP };
  w.pass();
  assert.equal(w.status.savepoints?.pendingTrigger, undefined);
  w.snapshot = undefined;

  // Switching to stateless must not restart the job empty: the applied parallelism stays deployed, nothing more is applied.
  w.change({ upgradeMode: 'stateless' });
  w.now = T0 + 60_000;
  const stateless = w.pass();
  assert.deepEqual(actionsOf(stateless, 'cancelJob'), []);
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });
  // Turning the autoscaler off deploys the user's parallelism again, through the upgrade mode.
  w.change({ upgradeMode: 'savepoint' }, { autoscaler: { ...AUTOSCALER, enabled: false } });
  w.now = T0 + 70_000;
  assert.deepEqual(actionsOf(w.pass(), 'triggerSavepoint').map((a) => a.then), ['stop']);
  assert.equal(w.status.reconciliation?.upgrade?.reason, 'spec.configuration.pipeline.jobvertex-parallelism-overrides (SCALE), spec.job.parallelism (SCALE)');
});

test('with upgradeMode last-state a rescale restarts from the latest checkpoint in the HA metadata, no savepoint', () => {
  const w = new World(baseSpec({ upgradeMode: 'last-state' }, { autoscaler: AUTOSCALER, configuration: { 'high-availability.type': 'kubernetes' } }));
  w.ha = { configMaps: ['fraud-' + 'a'.repeat(32) + '-config-map'], hasCheckpoint: true };
  w.stable();
  w.autoscaler = BUSY;
  w.pass();
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });
  w.now = T0 + 1000;
  const plan = w.pass();
  assert.deepEqual(actionsOf(plan, 'triggerSavepoint'), []);
  assert.deepEqual(actionsOf(plan, 'recordEvent').map((a) => a.event.message), ['Upgrading with upgradeMode last-state from the latest checkpoint (HA metadata): spec.configuration.pipeline.jobvertex-parallelism-overrides (SCALE), spec.job.parallelism (SCALE)']);
  assert.match(configFileOf(w.children), /^pipeline\.jobvertex-parallelism-overrides: "v1:4"$/m);
  assert.doesNotMatch(configFileOf(w.children), /execution\.savepoint\.path/);
  assert.equal(replicasOf(w, 'fraud-taskmanager'), 4);
});

test('a change of the user\'s spec wins: the applied parallelism goes, the user\'s is deployed, and stabilization starts again', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' }, { autoscaler: AUTOSCALER })).stable();
  w.autoscaler = BUSY;
  w.pass();
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 4 });
  // Before the rescale was deployed, the user sets parallelism 3.
  w.change({ parallelism: 3 });
  w.now = T0 + 5000;
  const plan = w.pass();
  assert.deepEqual(actionsOf(plan, 'triggerSavepoint').length, 1);
  assert.equal(w.status.autoscaler?.appliedParallelism, undefined);
  assert.equal(w.status.autoscaler?.rescaleStartTime, undefined);
  assert.equal(w.status.autoscaler?.lastSpecChangeTime, new Date(T0 + 5000).toISOString());
  assert.equal(w.status.reconciliation?.upgrade?.reason, 'spec.job.parallelism (SCALE)');
  w.snapshot = { status: 'COMPLETED', location: SP };
  w.job = jobIn('FINISHED');
  w.pass();
  assert.doesNotMatch(configFileOf(w.children), /jobvertex-parallelism-overrides/);
  assert.match(configFileOf(w.children), /^parallelism\.default: "3"$/m);
  assert.equal(replicasOf(w, 'fraud-taskmanager'), 3);
});

test('with upgradeMode stateless the autoscaler decides and reports but never rescales (it would drop the state)', () => {
  const w = new World(baseSpec({}, { autoscaler: AUTOSCALER })).stable();
  w.autoscaler = BUSY;
  const plan = w.pass();
  assert.deepEqual(actionsOf(plan, 'recordEvent').map((a) => a.event.message.split(':')[0]), ['Recommended, not applied (upgradeMode stateless would drop the state)']);
  assert.equal(w.status.conditions?.find((c) => c.type === 'Degraded')?.reason, 'UnsupportedField');
  assert.equal(w.status.autoscaler?.appliedParallelism, undefined);
  w.now = T0 + 1000;
  assert.deepEqual(actionsOf(w.pass(), 'triggerSavepoint'), []);
  assert.equal(w.status.reconciliation?.upgrade, undefined);
});

test('with spec.taskManager.replicas the TaskManagers stay at that count: the autoscaler scales within their slots and says so (Degraded, decision message)', () => {
  // 3 TaskManagers with 1 slot each: the busy source that wants 4 gets 3.
  const w = new World(baseSpec({ upgradeMode: 'savepoint' }, { autoscaler: AUTOSCALER, taskManager: { replicas: 3 } })).stable();
  const degraded = w.status.conditions?.find((c) => c.type === 'Degraded');
  assert.deepEqual([degraded?.status, degraded?.reason], ['True', 'UnsupportedField']);
  assert.match(degraded?.message ?? '', /^spec\.taskManager\.replicas: the TaskManagers stay at this count/);
  w.autoscaler = BUSY;
  const decided = w.pass();
  assert.match(actionsOf(decided, 'recordEvent')[0]!.event.message, /^Rescaling: Source: orders 2 -> 3 \(.*more than the 3 slots of the fixed TaskManagers \(spec\.taskManager\.replicas\)/);
  assert.deepEqual(w.status.autoscaler?.appliedParallelism, { v1: 3 });
  w.now = T0 + 1000;
  w.pass();
  w.snapshot = { status: 'COMPLETED', location: SP };
  w.job = jobIn('FINISHED');
  w.pass();
  assert.match(configFileOf(w.children), /^pipeline\.jobvertex-parallelism-overrides: "v1:3"$/m);
  assert.equal(replicasOf(w, 'fraud-taskmanager'), 3);
});
