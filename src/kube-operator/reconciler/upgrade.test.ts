import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsOf } from './actions.ts';
import { specDiff } from './diff-type.ts';
import { triggerIdFor } from './write-ahead.ts';
import { desiredChildren } from '../children/desired-children.ts';
import { CLUSTER_HASH_ANNOTATION } from '../children/names.ts';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { JOB_ID, SHARED_STORAGE, T0, UID, World, baseSpec, configFileOf, jobIn, summary } from '../../../test/support/kube-operator/reconcile-world.ts';

const SP = '/sp/savepoint-aaaaaa-000000000001';
const HA = { configMaps: ['fraud-' + 'a'.repeat(32) + '-config-map'], hasCheckpoint: true };
const HA_CONF = { 'high-availability.type': 'kubernetes' };

test('the DiffType table: the strongest changed field decides, by field path', () => {
  const s = baseSpec();
  const type = (job: object, rest: object = {}) => specDiff(s, { ...s, ...rest, job: { ...s.job, ...job } }).type;
  assert.equal(type({}), 'IGNORE');
  assert.equal(type({ upgradeMode: 'savepoint', savepointTriggerNonce: 3, checkpointTriggerNonce: 1, allowNonRestoredState: true }), 'IGNORE');
  assert.equal(type({}, { configuration: { ...SHARED_STORAGE, 'kubernetes.operator.periodic.savepoint.interval': '1h' } }), 'IGNORE');
  assert.equal(type({ parallelism: 4 }), 'SCALE');
  assert.equal(type({}, { taskManager: { replicas: 3 } }), 'SCALE');
  assert.equal(type({ parallelism: 4, args: ['--x'] }), 'UPGRADE');
  assert.equal(type({}, { image: 'weir:2' }), 'UPGRADE');
  assert.equal(type({}, { configuration: { ...SHARED_STORAGE, 'state.backend.type': 'rocksdb' } }), 'UPGRADE');
  assert.equal(type({ restartNonce: 1 }), 'UPGRADE');
  assert.equal(type({}, { taskManager: { podTemplate: { spec: { nodeSelector: { a: 'b' } } } } }), 'UPGRADE');
  assert.equal(type({ savepointRedeployNonce: 1, initialSavepointPath: '/sp/x' }), 'SAVEPOINT_REDEPLOY');
  // Without a path there is nothing to redeploy from: the nonce alone changes nothing.
  assert.equal(type({ savepointRedeployNonce: 1 }), 'IGNORE');
  assert.deepEqual(specDiff(s, { ...s, image: 'weir:2', job: { ...s.job, parallelism: 3, upgradeMode: 'savepoint' } }).changes, [
    { path: 'image', type: 'UPGRADE' },
    { path: 'job.parallelism', type: 'SCALE' },
    { path: 'job.upgradeMode', type: 'IGNORE' },
  ]);
});

test('IGNORE changes (upgradeMode, operator keys) record the spec and touch no child', () => {
  const w = new World(baseSpec()).stable();
  w.change({ upgradeMode: 'savepoint' }, { configuration: { ...SHARED_STORAGE, 'kubernetes.operator.savepoint.history.max.count': '3' } });
  // The spec is recorded, then (still STABLE) it becomes the last stable one.
  assert.deepEqual(summary(w.pass()), ['recordTarget STABLE', 'writeStatus STABLE', 'requeue 10000']);
  assert.equal(w.status.reconciliation?.lastReconciledSpec, JSON.stringify({ configuration: { 'kubernetes.operator.savepoint.history.max.count': '3', ...SHARED_STORAGE }, image: 'weir:1', job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2, upgradeMode: 'savepoint' } }));
});

test('savepoint upgrade: SAVEPOINTING with the trigger id is written before the stop, then SAVEPOINT_DONE with the path, then DEPLOYING before the children restore from it', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  const stableSpec = w.status.reconciliation?.lastReconciledSpec;
  const oldChildren = w.children;
  w.change({ args: ['--rate', '10'] });
  const triggerId = triggerIdFor(UID, 'upgrade', 2, 0);
  const first = w.pass();
  assert.deepEqual(summary(first), ['recordTarget UPGRADING SAVEPOINTING', 'event UpgradeStarted', 'triggerSavepoint stop', 'event SavepointTriggered', 'writeStatus UPGRADING SAVEPOINTING', 'requeue 1000']);
  assert.deepEqual(w.status.conditions?.map((c) => `${c.type}=${c.status}`), ['Degraded=False', 'Ready=False', 'Progressing=True']);
  assert.deepEqual(w.writes[0]?.reconciliation?.upgrade, { mode: 'savepoint', reason: 'spec.job.args (UPGRADE)', step: 'SAVEPOINTING', jobId: JOB_ID, triggerId, attempt: 0, startTime: T0 });
  assert.deepEqual(actionsOf(first, 'triggerSavepoint'), [{ type: 'triggerSavepoint', jobId: JOB_ID, triggerId, then: 'stop' }]);
  assert.equal(actionsOf(first, 'recordEvent')[0]?.event.message, 'Upgrading with upgradeMode savepoint: spec.job.args (UPGRADE)');
  // The old spec is still the one acted on: nothing is redeployed yet.
  assert.equal(w.status.reconciliation?.lastReconciledSpec, stableSpec);
  assert.deepEqual(w.children, oldChildren);

  // An operator restarted while the savepoint runs: no second trigger, no write.
  w.snapshot = { status: 'IN_PROGRESS' };
  assert.deepEqual(summary(w.pass()), ['requeue 1000']);
  // The JobManager never got the trigger (killed between the write and the call): sent again, same id.
  w.snapshot = { status: 'UNKNOWN' };
  assert.deepEqual(actionsOf(w.pass(), 'triggerSavepoint'), [{ type: 'triggerSavepoint', jobId: JOB_ID, triggerId, then: 'stop' }]);

  // Done: the path is written, then the target, then the children restore from it.
  w.snapshot = { status: 'COMPLETED', location: SP };
  w.job = jobIn('FINISHED');
  const done = w.pass();
  assert.deepEqual(summary(done), [
    'recordTarget UPGRADING SAVEPOINT_DONE',
    'event SavepointCompleted',
    'recordTarget UPGRADING DEPLOYING',
    'replaceChild ConfigMap/fraud-config',
    'replaceChild Deployment/fraud-jobmanager',
    'replaceChild Deployment/fraud-taskmanager',
    'writeStatus UPGRADING DEPLOYING',
    'requeue 1000',
  ]);
  assert.equal(w.writes[0]?.reconciliation?.upgrade?.savepointPath, SP);
  assert.equal(w.writes[0]?.reconciliation?.lastReconciledSpec, stableSpec);
  assert.deepEqual(w.writes[0]?.savepoints?.last, { location: SP, timestamp: T0, triggerType: 'UPGRADE', formatType: 'CANONICAL' });
  assert.equal(w.writes[0]?.savepoints?.lastSavepointTime, '2026-11-23T10:00:00Z');
  assert.equal(w.writes[1]?.reconciliation?.restorePath, SP);
  assert.match(configFileOf(w.children), new RegExp(`^execution\\.savepoint\\.path: "${SP}"$`, 'm'));
  assert.match(configFileOf(w.children), /^execution\.savepoint\.ignore-unclaimed-state: "false"$/m);

  // The new JobManager runs the job: the upgrade's log is cleared, STABLE on the new spec.
  w.snapshot = undefined;
  w.job = { ...jobIn('RUNNING'), id: 'b'.repeat(32) };
  const settledPass = w.pass();
  assert.deepEqual(summary(settledPass), ['writeStatus STABLE', 'requeue 10000']);
  assert.equal(w.status.job?.id, 'b'.repeat(32));
  assert.equal(w.status.reconciliation?.upgrade, undefined);
  assert.equal(w.status.reconciliation?.lastStableSpec, w.status.reconciliation?.lastReconciledSpec);
  assert.equal(w.status.savepoints?.history?.length, 1);
});

test('an operator killed after SAVEPOINT_DONE was written redeploys from that path and triggers nothing', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  w.change({ parallelism: 4 });
  w.pass();
  const u = w.status.reconciliation!.upgrade!;
  w.sd = { ...w.sd, status: { ...w.status, reconciliation: { ...w.status.reconciliation, upgrade: { ...u, step: 'SAVEPOINT_DONE', savepointPath: SP } } } };
  w.job = jobIn('FINISHED');
  w.snapshot = undefined;
  const plan = w.pass();
  assert.deepEqual(summary(plan), ['recordTarget UPGRADING DEPLOYING', 'replaceChild ConfigMap/fraud-config', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager', 'writeStatus UPGRADING DEPLOYING', 'requeue 1000']);
  assert.equal(w.status.reconciliation?.restorePath, SP);
  assert.equal(w.status.reconciliation?.upgrade?.reason, 'spec.job.parallelism (SCALE)');
});

test('a failed upgrade savepoint: SavepointFailed, retried after 10 s then 20 s with a new trigger id', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  w.change({}, { image: 'weir:2' });
  w.pass();
  w.snapshot = { status: 'FAILED', error: 'CHECKPOINT_DECLINED: a task declined' };
  const failed = w.pass();
  assert.deepEqual(summary(failed), ['recordTarget UPGRADING SAVEPOINTING', 'event SavepointFailed', 'requeue 1000']);
  assert.equal(actionsOf(failed, 'recordEvent')[0]?.event.message, 'Savepoint for the upgrade failed (attempt 1): CHECKPOINT_DECLINED: a task declined; retrying in 10 s');
  assert.equal(w.status.reconciliation?.upgrade?.retryAt, T0 + 10_000);
  w.snapshot = undefined;
  w.now = T0 + 9_999;
  assert.deepEqual(summary(w.pass()), ['requeue 1000']);
  w.now = T0 + 10_000;
  const retry = w.pass();
  assert.deepEqual(summary(retry), ['recordTarget UPGRADING SAVEPOINTING', 'triggerSavepoint stop', 'event SavepointTriggered', 'requeue 1000']);
  assert.equal(actionsOf(retry, 'triggerSavepoint')[0]?.triggerId, triggerIdFor(UID, 'upgrade', 2, 1));
  w.snapshot = { status: 'FAILED', error: 'again' };
  w.pass();
  assert.equal(w.status.reconciliation?.upgrade?.retryAt, T0 + 10_000 + 20_000);
});

test('savepoint upgrade of a job that is not running: last-state fallback with HA metadata, else it waits with a condition', () => {
  const failing = jobIn('FAILED');
  const noHa = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  noHa.job = failing;
  noHa.pass();
  noHa.change({ args: ['--x'] });
  const waiting = noHa.pass();
  assert.deepEqual(summary(waiting), ['writeStatus FAILED', 'event UpgradeBlocked', 'requeue 10000']);
  const message =
    'upgradeMode savepoint: the job is FAILED, so no savepoint can be taken, and there is no HA metadata (high-availability.type: kubernetes with a completed checkpoint) to fall back to last-state; the upgrade waits for the job to run';
  assert.deepEqual(noHa.status.conditions?.find((c) => c.type === 'Degraded')?.reason, 'UpgradeBlocked');
  assert.equal(noHa.status.conditions?.find((c) => c.type === 'Degraded')?.message, message);
  assert.deepEqual(summary(noHa.pass()), ['requeue 10000']);

  const withHa = new World(baseSpec({ upgradeMode: 'savepoint' }, { configuration: HA_CONF })).stable();
  withHa.ha = HA;
  withHa.job = failing;
  withHa.pass();
  withHa.change({ args: ['--x'] });
  const fallback = withHa.pass();
  assert.deepEqual(summary(fallback), ['recordTarget UPGRADING', 'event LastStateFallback', 'event UpgradeStarted', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager', 'writeStatus UPGRADING', 'requeue 1000']);
  assert.equal(actionsOf(fallback, 'recordEvent')[1]?.event.message, 'Upgrading with upgradeMode last-state from the latest checkpoint (HA metadata): spec.job.args (UPGRADE)');

  const disabled = new World(baseSpec({ upgradeMode: 'savepoint' }, { configuration: { ...HA_CONF, 'kubernetes.operator.job.upgrade.last-state-fallback.enabled': 'false' } })).stable();
  disabled.ha = HA;
  disabled.job = failing;
  disabled.pass();
  disabled.change({ args: ['--x'] });
  assert.deepEqual(summary(disabled.pass()), ['writeStatus FAILED', 'event UpgradeBlocked', 'requeue 10000']);
  assert.match(disabled.status.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /last-state fallback is disabled \(kubernetes\.operator\.job\.upgrade\.last-state-fallback\.enabled\)/);
});

test('the JobManager lost after the stop-with-savepoint: each event follows the write that records its fact, before the children', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' }, { configuration: HA_CONF })).stable();
  w.ha = HA;
  w.change({ args: ['--x'] });
  w.pass();
  // A new JobManager, without the job or the trigger.
  w.job = undefined;
  w.snapshot = { status: 'UNKNOWN' };
  const plan = w.pass();
  assert.deepEqual(summary(plan), [
    'recordTarget UPGRADING SAVEPOINTING',
    'event SavepointFailed',
    'recordTarget UPGRADING',
    'event LastStateFallback',
    'event UpgradeStarted',
    'replaceChild Deployment/fraud-jobmanager',
    'replaceChild Deployment/fraud-taskmanager',
    'writeStatus UPGRADING',
    'requeue 1000',
  ]);
  assert.deepEqual(actionsOf(plan, 'recordEvent').map((a) => a.event.message), [
    'Savepoint for the upgrade failed (attempt 1): the JobManager does not know the trigger; the job is not running',
    'The job is not reachable, so no savepoint can be taken: upgrading with last-state from the latest checkpoint instead',
    'Upgrading with upgradeMode last-state from the latest checkpoint (HA metadata): spec.job.args (UPGRADE)',
  ]);
  assert.match(w.writes[1]?.reconciliation?.lastReconciledSpec ?? '', /"args":\["--x"\]/);
});

test('last-state: the JobManager is replaced keeping HA metadata; without it the upgrade is refused; a checkpoint too old takes a savepoint', () => {
  const w = new World(baseSpec({ upgradeMode: 'last-state' }, { configuration: HA_CONF })).stable();
  w.ha = HA;
  w.change({ args: ['--x'] });
  const plan = w.pass();
  // No cancel, no HA deletion: the new JobManager restores from the checkpoint pointer.
  assert.deepEqual(summary(plan), ['recordTarget UPGRADING', 'event UpgradeStarted', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager', 'writeStatus UPGRADING', 'requeue 1000']);
  assert.doesNotMatch(configFileOf(w.children), /execution\.savepoint\.path/);

  const refused = new World(baseSpec({ upgradeMode: 'last-state' })).stable();
  refused.change({ args: ['--x'] });
  assert.deepEqual(summary(refused.pass()), ['writeStatus STABLE', 'event UpgradeBlocked', 'requeue 10000']);
  assert.match(refused.status.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /^upgradeMode last-state needs the JobManager's HA metadata .* the job will not start empty: set initialSavepointPath/);

  const old = new World(baseSpec({ upgradeMode: 'last-state' }, { configuration: { ...HA_CONF, 'kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age': '1 min' } })).stable();
  old.ha = HA;
  old.now = T0 + 60_001;
  old.change({ args: ['--x'] });
  const savepoint = old.pass();
  assert.deepEqual(summary(savepoint).slice(0, 4), ['recordTarget UPGRADING SAVEPOINTING', 'event UpgradeStarted', 'triggerSavepoint stop', 'event SavepointTriggered']);
  assert.match(old.status.reconciliation?.upgrade?.reason ?? '', /the latest checkpoint is older than 60000 ms/);
});

const jobManagerReplicas = (w: World) => (w.children.find((c) => c.metadata.name === 'fraud-jobmanager')?.spec as { replicas: number }).replicas;

test('stateless under HA: DROPPING_STATE is written, the job cancelled, the cluster scaled to zero and the ConfigMaps deleted; the new spec only once neither is left', () => {
  const w = new World(baseSpec({}, { configuration: HA_CONF })).stable();
  const stableSpec = w.status.reconciliation?.lastReconciledSpec;
  w.ha = HA;
  w.change({ parallelism: 1 });
  assert.deepEqual(summary(w.pass()), [
    'recordTarget UPGRADING DROPPING_STATE',
    'event UpgradeStarted',
    'cancelJob aaaa',
    `deleteHaMetadata ${HA.configMaps[0]}`,
    'replaceChild Deployment/fraud-jobmanager',
    'replaceChild Deployment/fraud-taskmanager',
    'writeStatus UPGRADING DROPPING_STATE',
    'requeue 1000',
  ]);
  assert.deepEqual(w.writes[0]?.reconciliation?.upgrade, { mode: 'stateless', reason: 'spec.job.parallelism (SCALE)', step: 'DROPPING_STATE', startTime: T0 });
  assert.equal(w.writes[0]?.reconciliation?.lastReconciledSpec, stableSpec);
  assert.equal(jobManagerReplicas(w), 0);
  // The old JobManager wrote its ConfigMap again on its way down: deleted again, nothing else.
  assert.deepEqual(actionsOf(w.pass(), 'deleteHaMetadata').length, 1);
  assert.equal(w.status.reconciliation?.upgrade?.step, 'DROPPING_STATE');

  w.ha = { configMaps: [], hasCheckpoint: false };
  assert.deepEqual(summary(w.pass()).slice(0, 4), ['recordTarget UPGRADING', 'replaceChild ConfigMap/fraud-config', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager']);
  assert.notEqual(w.status.reconciliation?.lastReconciledSpec, stableSpec);
  assert.equal(w.status.reconciliation?.upgrade, undefined);
  assert.equal(jobManagerReplicas(w), 1);
});

test('stateless: an operator killed after DROPPING_STATE was written deletes the HA ConfigMaps again, and starts no JobManager while one runs or a ConfigMap is left', () => {
  const w = new World(baseSpec({}, { configuration: HA_CONF })).stable();
  const oldChildren = w.children;
  w.ha = HA;
  w.change({ parallelism: 1 });
  w.pass();
  // Killed right after the write-ahead write: no cancel, no deletion, the old cluster untouched.
  w.sd = { ...w.sd, status: w.writes[0] };
  w.children = oldChildren;
  const again = summary(w.pass());
  assert.deepEqual(again.slice(0, 4), ['cancelJob aaaa', `deleteHaMetadata ${HA.configMaps[0]}`, 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager']);
  assert.ok(!again.includes('event UpgradeStarted'));
  assert.equal(jobManagerReplicas(w), 0);
  // Killed after the deletion, before the old cluster was scaled down: no ConfigMap left, but a JobManager runs.
  w.sd = { ...w.sd, status: w.writes[0] };
  w.children = oldChildren;
  w.ha = { configMaps: [], hasCheckpoint: false };
  w.pass();
  assert.equal(w.status.reconciliation?.upgrade?.step, 'DROPPING_STATE');
  assert.equal(jobManagerReplicas(w), 0);
  w.pass();
  assert.equal(w.status.reconciliation?.upgrade, undefined);
  assert.equal(jobManagerReplicas(w), 1);
});

test('stateless without HA: the target is recorded, the job cancelled and the children replaced in one pass', () => {
  const w = new World(baseSpec()).stable();
  w.change({ parallelism: 1 });
  assert.deepEqual(summary(w.pass()), [
    'recordTarget UPGRADING',
    'event UpgradeStarted',
    'cancelJob aaaa',
    'replaceChild ConfigMap/fraud-config',
    'replaceChild Deployment/fraud-jobmanager',
    'replaceChild Deployment/fraud-taskmanager',
    'writeStatus UPGRADING',
    'requeue 1000',
  ]);
});

test('stateless: a change only of taskManager.replicas is a new run too: the cancelled job\'s JobManager is replaced, not left reporting CANCELED', () => {
  const w = new World(baseSpec({}, { taskManager: { replicas: 2 } })).stable();
  w.now = T0 + 1_000;
  w.change({}, { taskManager: { replicas: 3 } });
  assert.deepEqual(summary(w.pass()), [
    'recordTarget UPGRADING',
    'event UpgradeStarted',
    'cancelJob aaaa',
    'replaceChild Deployment/fraud-jobmanager',
    'replaceChild Deployment/fraud-taskmanager',
    'writeStatus UPGRADING',
    'requeue 1000',
  ]);
});

test('savepointRedeployNonce with initialSavepointPath: cancelled statelessly and redeployed from that path', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  w.change({ savepointRedeployNonce: 1, initialSavepointPath: 's3://weir/savepoints/manual', allowNonRestoredState: true });
  const plan = w.pass();
  assert.deepEqual(summary(plan).slice(0, 3), ['recordTarget UPGRADING', 'event UpgradeStarted', 'cancelJob aaaa']);
  assert.deepEqual(actionsOf(plan, 'triggerSavepoint'), []);
  assert.match(configFileOf(w.children), /^execution\.savepoint\.path: "s3:\/\/weir\/savepoints\/manual"$/m);
  assert.match(configFileOf(w.children), /^execution\.savepoint\.ignore-unclaimed-state: "true"$/m);
});

test('initialSavepointPath on the first deployment restores the job from it', () => {
  const w = new World(baseSpec({ initialSavepointPath: 's3://weir/savepoints/initial' }));
  const plan = w.pass();
  assert.equal(actionsOf(plan, 'recordEvent')[0]?.event.message, 'Deploying /opt/weir/job/fraud.ts with parallelism 2 from s3://weir/savepoints/initial');
  assert.match(configFileOf(w.children), /^execution\.savepoint\.path: "s3:\/\/weir\/savepoints\/initial"$/m);
});

test('suspend with savepoint stops the job with one, scales to zero, and resume restores from it', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  w.change({ state: 'suspended' });
  assert.deepEqual(summary(w.pass()).slice(0, 3), ['recordTarget UPGRADING SAVEPOINTING', 'event Suspended', 'triggerSavepoint stop']);
  w.snapshot = { status: 'COMPLETED', location: SP };
  w.job = jobIn('FINISHED');
  w.pass();
  w.job = undefined;
  w.pass();
  assert.deepEqual(
    w.children.filter((c) => c.kind === 'Deployment').map((d) => (d.spec as { replicas: number }).replicas),
    [0, 0],
  );
  assert.equal(w.status.lifecycleState, 'SUSPENDED');
  assert.equal(w.status.reconciliation?.upgrade, undefined);
  w.snapshot = undefined;
  w.job = undefined;
  w.change({ state: 'running' });
  const resume = w.pass();
  assert.equal(actionsOf(resume, 'recordEvent')[0]?.event.message, `Upgrading with upgradeMode savepoint from savepoint ${SP}: spec.job.state (UPGRADE)`);
  assert.deepEqual(actionsOf(resume, 'triggerSavepoint'), []);
  assert.match(configFileOf(w.children), new RegExp(`^execution\\.savepoint\\.path: "${SP}"$`, 'm'));
});

/** Where the JobManager of these children keeps its job result store, and the cluster hash its pods carry. */
const runOf = (children: readonly KubeObject[]) => ({
  store: /^job-result-store\.storage-path: "(.*)"$/m.exec(configFileOf(children))?.[1],
  hash: (children.find((c) => c.metadata.name === 'fraud-jobmanager')?.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations[CLUSTER_HASH_ANNOTATION],
});

test('stateless suspend and resume of a job that finished: the resumed run has a job result store of its own, so the job runs again instead of reporting the old end', () => {
  const w = new World(baseSpec({}, { configuration: { ...HA_CONF, 'high-availability.storageDir': 's3://weir/ha' } })).stable();
  // The bounded job finished: its JobManager recorded the result in the store of its run, and deleted its job ConfigMap.
  w.ha = { configMaps: [], hasCheckpoint: false };
  w.job = jobIn('FINISHED');
  w.pass();
  const finished = runOf(w.children);
  assert.match(finished.store ?? '', /^s3:\/\/weir\/ha\/job-result-store\/fraud\/[0-9a-f]{16}$/);

  w.now = T0 + 60_000;
  w.change({ state: 'suspended' });
  assert.deepEqual(summary(w.pass()), ['recordTarget SUSPENDED DROPPING_STATE', 'event Suspended', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager', 'writeStatus UPGRADING DROPPING_STATE', 'requeue 1000']);
  w.job = undefined;
  w.pass();
  assert.equal(w.status.lifecycleState, 'SUSPENDED');
  assert.equal(jobManagerReplicas(w), 0);

  w.now = T0 + 120_000;
  w.change({ state: 'running' });
  const resume = w.pass();
  // The ConfigMap is replaced too: the new run's JobManager reads another job result store.
  assert.deepEqual(summary(resume), ['recordTarget UPGRADING', 'event UpgradeStarted', 'replaceChild ConfigMap/fraud-config', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager', 'writeStatus UPGRADING', 'requeue 1000']);
  assert.equal(actionsOf(resume, 'recordEvent')[0]?.event.message, 'Upgrading with upgradeMode stateless without state: spec.job.state (UPGRADE)');
  assert.deepEqual(actionsOf(resume, 'deleteHaMetadata'), []);
  assert.equal(w.status.reconciliation?.deployTime, T0 + 120_000);
  const resumed = runOf(w.children);
  assert.match(resumed.store ?? '', /^s3:\/\/weir\/ha\/job-result-store\/fraud\/[0-9a-f]{16}$/);
  assert.notEqual(resumed.store, finished.store);
  assert.notEqual(resumed.hash, finished.hash);
  assert.equal(jobManagerReplicas(w), 1);
  // Settled: a pass over the same world changes no child (the run is named by status, not by the clock).
  w.now = T0 + 125_000;
  assert.deepEqual(actionsOf(w.pass(), 'replaceChild'), []);
  assert.deepEqual(runOf(w.children), resumed);
});

test('rollback: an upgrade not stable within the readiness timeout goes back to the last stable spec; not when the spec changed again', () => {
  const conf = { 'kubernetes.operator.deployment.rollback.enabled': 'true', 'kubernetes.operator.deployment.readiness.timeout': '1 min' };
  const w = new World(baseSpec({}, { configuration: conf })).stable();
  assert.equal(w.status.lifecycleState, 'STABLE');
  const stableSpec = w.status.reconciliation?.lastStableSpec;
  const stableChildren = w.children;
  w.change({}, { image: 'weir:broken' });
  w.pass();
  w.job = jobIn('FAILED');
  w.now = T0 + 60_000;
  assert.deepEqual(summary(w.pass()).filter((l) => !l.startsWith('event JobStatus')), ['writeStatus FAILED', 'requeue 10000']);
  w.now = T0 + 60_001;
  const rollback = w.pass();
  assert.deepEqual(summary(rollback), ['recordTarget ROLLING_BACK', 'event RolledBack', 'replaceChild Deployment/fraud-jobmanager', 'replaceChild Deployment/fraud-taskmanager', 'writeStatus ROLLING_BACK', 'requeue 1000']);
  assert.equal(actionsOf(rollback, 'recordEvent')[0]?.event.message, 'The upgrade was not stable within 60 s (the job is FAILED): rolling back to the last stable spec with last-state');
  assert.equal(w.status.reconciliation?.lastReconciledSpec, stableSpec);
  // The stable spec's children, as a run of its own: deployed at the rollback's time.
  assert.deepEqual(annotationsOf(w.children), annotationsOf(desiredChildren({ ...w.sd, spec: JSON.parse(stableSpec!) as StreamDeploymentSpec }, undefined, T0 + 60_001)));
  assert.notDeepEqual(annotationsOf(w.children), annotationsOf(stableChildren));
  w.job = jobIn('RUNNING');
  w.pass();
  assert.equal(w.status.lifecycleState, 'ROLLED_BACK');
  assert.equal(w.status.reconciliation?.state, 'ROLLED_BACK');
  assert.equal(w.status.conditions?.find((c) => c.type === 'Degraded')?.reason, 'RolledBack');
  // The failed spec is not deployed again; a new change is.
  assert.deepEqual(summary(w.pass()), ['requeue 10000']);
  w.change({}, { image: 'weir:fixed' });
  assert.deepEqual(summary(w.pass()).slice(0, 3), ['recordTarget UPGRADING', 'event UpgradeStarted', 'cancelJob aaaa']);

  // A savepoint-mode spec with nothing to restore from (no HA metadata, no savepoint) is not rolled back to an empty job.
  const empty = new World(baseSpec({ upgradeMode: 'savepoint' }, { configuration: conf })).stable();
  empty.change({ upgradeMode: 'stateless' }, { image: 'weir:broken' });
  empty.pass();
  empty.job = jobIn('FAILED');
  empty.now = T0 + 60_001;
  assert.deepEqual(actionsOf(empty.pass(), 'recordEvent').map((e) => e.event.reason).filter((r) => r === 'RolledBack'), []);
  assert.equal(empty.status.lifecycleState, 'FAILED');

  // A spec changed again before the timeout: that change upgrades, nothing rolls back.
  const again = new World(baseSpec({}, { configuration: conf })).stable();
  again.change({}, { image: 'weir:broken' });
  again.pass();
  again.job = jobIn('FAILED');
  again.change({}, { image: 'weir:3' });
  again.now = T0 + 120_000;
  const plan = again.pass();
  assert.deepEqual(actionsOf(plan, 'recordEvent').map((e) => e.event.reason).filter((r) => r === 'RolledBack'), []);
  assert.equal(JSON.parse(again.status.reconciliation!.lastReconciledSpec!).image, 'weir:3');
});

test('pause annotation: a ReconciliationPaused condition and no other action; removing it resumes', () => {
  const w = new World(baseSpec({ upgradeMode: 'savepoint' })).stable();
  w.sd = { ...w.sd, metadata: { ...w.sd.metadata, annotations: { 'weir.dev/pause-reconciliation': 'true' } } };
  w.change({ args: ['--x'] });
  assert.deepEqual(summary(w.pass()), ['writeStatus STABLE', 'event ReconciliationPaused', 'requeue 10000']);
  assert.equal(w.status.conditions?.find((c) => c.type === 'ReconciliationPaused')?.status, 'True');
  assert.deepEqual(summary(w.pass()), ['requeue 10000']);
  w.sd = { ...w.sd, metadata: { ...w.sd.metadata, annotations: {} } };
  assert.deepEqual(summary(w.pass()).slice(0, 3), ['recordTarget UPGRADING SAVEPOINTING', 'event UpgradeStarted', 'triggerSavepoint stop']);
  assert.equal(w.status.conditions?.find((c) => c.type === 'ReconciliationPaused')?.status, 'False');
});

/** Each child's annotations (its content hash among them), by kind and name. */
function annotationsOf(children: readonly KubeObject[]): Record<string, Record<string, string> | undefined> {
  return Object.fromEntries(children.map((c) => [`${c.kind}/${c.metadata.name}`, c.metadata.annotations]));
}
