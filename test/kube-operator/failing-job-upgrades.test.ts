/**
 * Upgrades of a job that is failing, and stateless upgrades under JobManager HA (the set-up of
 * stateful-upgrades.test.ts, upgrade-support.ts). The sequences job runs with
 * `--fail-while <file>`: while the file exists it throws on every record and restarts in a loop.
 * A savepoint upgrade then falls back to last-state from the HA checkpoint pointer (the default),
 * or, with the fallback disabled, waits with an UpgradeBlocked condition until the job runs
 * again and takes its savepoint then; either way the counts go on exactly. Stateless upgrades
 * of the parallelism (2 -> 4 -> 1) start empty each time, though the job id stays the same, also
 * when the operator is killed right after it wrote DROPPING_STATE (before it deleted the HA data).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixedJobId } from '../../src/runtime/jobmanager/ha/ha-config.ts';
import { TEST_HA, until } from './operator-support.ts';
import { UpgradeRig } from './upgrade-support.ts';

const NAME = 'failing';
const JOB_ID = fixedJobId(NAME);
const HA = {
  ...TEST_HA,
  // The failing job restarts for as long as a test needs.
  'restart-strategy.fixed-delay.attempts': '100000',
};

let rig: UpgradeRig;
let failFile: string;

before(async () => {
  rig = await UpgradeRig.start(NAME);
  failFile = join(rig.dir, 'fail');
});

after(async () => {
  await rig.stop();
});

const args = (out: string, rate: number) => [...rig.args(out, rate), '--fail-while', failFile];
const status = () => rig.status();

/** Waits for the kill, checks the state it left (DROPPING_STATE, the job's HA ConfigMap still there), and starts a new operator. */
async function restartedAfterKill(): Promise<void> {
  await until('the operator killed', () => (rig.stopping ? true : undefined), 60_000, status);
  await rig.stopping;
  rig.stopping = undefined;
  assert.equal(status().reconciliation?.upgrade?.step, 'DROPPING_STATE');
  assert.ok(rig.cluster.server.api.tryGet('v1', 'ConfigMap', 'default', `${NAME}-${JOB_ID}-config-map`), 'the HA ConfigMap the killed operator left');
  await rig.startOperator();
}

/** Makes the job fail in a loop, and waits until the operator saw it not running. */
async function failing(): Promise<void> {
  await writeFile(failFile, '');
  await until('the job seen failing', () => (status().job?.state !== undefined && status().job?.state !== 'RUNNING' ? true : undefined), 60_000, status);
}

test('apply with HA and upgradeMode savepoint: the job runs and commits counts', async () => {
  rig.create(HA, { args: args('out', 200), parallelism: 2, maxParallelism: 16, upgradeMode: 'savepoint' });
  const s = await rig.stableAgain(1, undefined);
  assert.equal(s.job?.id, JOB_ID);
});

test('savepoint upgrade of a failing job: last-state fallback from the HA checkpoint pointer, counts go on exactly', async () => {
  const before = { jobManager: rig.jobManagerPod(), lines: await rig.assertCountsExact('out') };
  await failing();
  const generation = rig.patch({ job: { args: args('out', 300) } });
  const fallback = await until('LastStateFallback', () => rig.events('LastStateFallback')[0], 60_000, status);
  assert.match(String(fallback.message), /^The job is (RESTARTING|INITIALIZING|CREATED|FAILING|RUNNING with \d of \d tasks running), so no savepoint can be taken: upgrading with last-state from the latest checkpoint instead$/);
  await rm(failFile);
  const s = await rig.stableAgain(generation, JOB_ID, 'out', before.lines, () => rig.jobManagerPod() !== undefined && rig.jobManagerPod() !== before.jobManager);
  assert.equal(s.reconciliation?.restorePath, undefined);
  const restored = await rig.restoredFrom(JOB_ID);
  assert.equal(restored?.is_savepoint, false);
  assert.equal(restored?.external_path, join(rig.dir, 'checkpoints', JOB_ID, `chk-${restored?.id}`));
  assert.deepEqual(await rig.jobs(), [[JOB_ID, 'RUNNING']]);
});

test('with last-state fallback disabled, the upgrade of a failing job waits with UpgradeBlocked, and takes its savepoint once the job runs again', async () => {
  rig.patch({ configuration: { 'kubernetes.operator.job.upgrade.last-state-fallback.enabled': 'false' } });
  await until('the setting recorded', () => (status().reconciliation?.lastReconciledSpec?.includes('last-state-fallback') ? true : undefined));
  const before = { jobManager: rig.jobManagerPod(), lines: await rig.assertCountsExact('out'), savepoints: (await rig.savepointDirs()).length };
  await failing();
  const generation = rig.patch({ job: { args: args('out', 250) } });
  const blocked = await until('UpgradeBlocked', () => status().conditions?.find((c) => c.type === 'Degraded' && c.reason === 'UpgradeBlocked'), 60_000, status);
  assert.match(blocked.message ?? '', /^upgradeMode savepoint: the job is (RESTARTING|INITIALIZING|CREATED|FAILING|RUNNING with \d of \d tasks running), so no savepoint can be taken, and last-state fallback is disabled \(kubernetes\.operator\.job\.upgrade\.last-state-fallback\.enabled\); the upgrade waits for the job to run$/);
  // The Event follows the status write that records the condition.
  await until('the UpgradeBlocked event', () => rig.events('UpgradeBlocked')[0], 60_000, status);
  assert.equal(rig.jobManagerPod(), before.jobManager, 'nothing redeployed while blocked');
  assert.equal(rig.events('LastStateFallback').reduce((n, e) => n + Number(e.count ?? 1), 0), 1, 'no second fallback (a repeated message counts on the same Event)');
  await rm(failFile);
  const s = await rig.stableAgain(generation, JOB_ID, 'out', before.lines, () => rig.jobManagerPod() !== undefined && rig.jobManagerPod() !== before.jobManager);
  assert.equal(s.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
  assert.equal(s.savepoints?.last?.triggerType, 'UPGRADE');
  assert.equal(s.reconciliation?.restorePath, s.savepoints?.last?.location);
  assert.equal((await rig.restoredFrom(JOB_ID))?.is_savepoint, true);
  assert.equal((await rig.savepointDirs()).length, before.savepoints + 1);
});

test('stateless upgrades 2 -> 4 -> 1 under HA: DROPPING_STATE first, then each job starts empty (counts begin at 1 again), also after the operator was killed at DROPPING_STATE', async () => {
  const steps = new Set<string>();
  const unsubscribe = rig.cluster.server.store.subscribe((e) => {
    const step = (e.object.status as { reconciliation?: { upgrade?: { step?: string } } } | undefined)?.reconciliation?.upgrade?.step;
    if (e.key === 'weir.dev/streamdeployments' && step !== undefined) steps.add(step);
  });
  try {
    for (const parallelism of [4, 1]) {
      const jobManager = rig.jobManagerPod();
      // The second time the operator is killed right after it wrote DROPPING_STATE: a new one deletes the HA data.
      if (parallelism === 1) rig.killAt = 'dropping-state';
      const generation = rig.patch({ job: { upgradeMode: 'stateless', parallelism, args: args(`fresh-${parallelism}`, 300) } });
      if (parallelism === 1) await restartedAfterKill();
      const s = await rig.stableAgain(generation, JOB_ID, `fresh-${parallelism}`, 0, () => rig.jobManagerPod() !== undefined && rig.jobManagerPod() !== jobManager);
      assert.equal(s.job?.id, JOB_ID, 'the same job id (HA), without its state');
      assert.equal(await rig.restoredFrom(JOB_ID), null);
      assert.equal(s.reconciliation?.restorePath, undefined);
      assert.equal(rig.pods('taskmanager').length, parallelism);
    }
  } finally {
    unsubscribe();
  }
  assert.deepEqual([...steps], ['DROPPING_STATE']);
  // The second upgrade's Event went with the killed operator (its pass ended at the status write).
  assert.deepEqual(rig.events('UpgradeStarted').filter((e) => String(e.message).includes('stateless')).map((e) => e.message), ['Upgrading with upgradeMode stateless without state: spec.job.args (UPGRADE), spec.job.parallelism (SCALE)']);
});
