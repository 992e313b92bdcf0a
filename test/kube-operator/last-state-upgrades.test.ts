/**
 * last-state upgrades end to end (the set-up of stateful-upgrades.test.ts, upgrade-support.ts):
 * with JobManager HA on ConfigMaps and checkpoints on a volume both kinds of pod mount, a
 * change of the args and of the parallelism replaces the JobManager while its HA ConfigMaps
 * stay; the new JobManager restores the same job from the newest checkpoint pointer, and each
 * key's committed counts go on exactly, without a savepoint. Then, in savepoint mode, the
 * JobManager pod is killed right after the operator sent the stop-with-savepoint: the
 * restarted JobManager resumes the job from its HA pointer, and the upgrade (from the same
 * trigger sent again, or falling back to last-state) ends with one job and exact counts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixedJobId } from '../../src/runtime/jobmanager/ha/ha-config.ts';
import { readPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import { jobManagerServiceUrl } from '../../src/kube-operator/children/names.ts';
import { TEST_HA, until } from './operator-support.ts';
import { UpgradeRig } from './upgrade-support.ts';
import type { KubeObject } from '../support/kube/types.ts';

const NAME = 'last-state';
const JOB_ID = fixedJobId(NAME);
const HA = TEST_HA;

let rig: UpgradeRig;

before(async () => {
  rig = await UpgradeRig.start(NAME);
});

after(async () => {
  await rig.stop();
});

const jobConfigMap = () => rig.cluster.server.api.tryGet('v1', 'ConfigMap', 'default', `${NAME}-${JOB_ID}-config-map`);
const newestPointer = () => {
  const cm = jobConfigMap();
  return cm ? readPointers((cm.data ?? {}) as Record<string, string>).pointers[0]?.checkpointId : undefined;
};
const jobManagerPod = () => {
  const pods = rig.pods('jobmanager');
  return pods.length === 1 ? pods[0]!.metadata.uid : undefined;
};

interface RestoredFrom {
  id: number;
  is_savepoint: boolean;
  external_path: string;
}

/** What the running JobManager says its job was last restored from. */
async function restoredFrom(): Promise<RestoredFrom | null> {
  const res = await fetch(`${jobManagerServiceUrl(NAME, 'default')}/jobs/${JOB_ID}/checkpoints`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { latest: { restored: RestoredFrom | null } }).latest.restored;
}

/** The state before a change: the job's JobManager pod, committed lines, newest checkpoint pointer, savepoints taken. */
async function snapshotBefore() {
  return { jobManager: jobManagerPod(), lines: await rig.assertCountsExact('out'), pointer: newestPointer() ?? 0, savepoints: (await rig.savepointDirs()).length, triggers: rig.stopTriggers.size, upgrades: occurrences(rig.events('UpgradeStarted')) };
}

/** How often events happened: the recorder counts a repeated event on the one it recorded before, as Kubernetes' does. */
const occurrences = (events: readonly KubeObject[]) =>
  events.reduce((n, e) => {
    const count = (e as { count?: unknown }).count;
    return n + (typeof count === 'number' ? count : 1);
  }, 0);

/** A last-state change: a new JobManager pod, the same job restored from the checkpoint pointer it left, counts exact, no savepoint. */
async function assertLastStateUpgrade(change: object, why: string): Promise<void> {
  const before = await snapshotBefore();
  assert.ok(before.pointer > 0, 'a checkpoint pointer to restore from');
  const generation = rig.patch(change);
  const s = await rig.stableAgain(generation, JOB_ID, 'out', before.lines, () => jobManagerPod() !== undefined && jobManagerPod() !== before.jobManager);
  assert.equal(s.job?.id, JOB_ID, 'the same job goes on');
  assert.equal(s.reconciliation?.restorePath, undefined);
  const started = rig.events('UpgradeStarted').map((e) => String(e.message));
  assert.equal(occurrences(rig.events('UpgradeStarted')), before.upgrades + 1, 'one upgrade');
  assert.ok(started.includes(`Upgrading with upgradeMode last-state from the latest checkpoint (HA metadata): ${why}`), started.join('\n'));
  const restored = await restoredFrom();
  assert.ok(restored !== null, 'the new JobManager restored the job');
  assert.equal(restored.is_savepoint, false);
  assert.ok(restored.id >= before.pointer, `restored from checkpoint ${restored.id}, at or after the pointer ${before.pointer} seen before the change`);
  assert.equal(restored.external_path, join(rig.dir, 'checkpoints', JOB_ID, `chk-${restored.id}`));
  // The checkpoint counter went on in the same ConfigMap.
  await until('a checkpoint of the new JobManager recorded', () => ((newestPointer() ?? 0) > restored.id ? true : undefined), 60_000);
  assert.equal((await rig.savepointDirs()).length, before.savepoints, 'no savepoint taken');
  assert.equal(rig.stopTriggers.size, before.triggers);
}

test('apply with HA and upgradeMode last-state: the job runs and its checkpoints are recorded in its HA ConfigMap', async () => {
  // Four source splits from the start, so every key is read in order at any parallelism up to 4.
  rig.create(HA, { args: rig.args('out', 200), parallelism: 4, maxParallelism: 16, upgradeMode: 'last-state' });
  const s = await rig.stableAgain(1, undefined);
  assert.equal(s.job?.id, JOB_ID);
  await until('a checkpoint pointer', () => newestPointer(), 60_000, () => jobConfigMap());
  assert.equal(jobConfigMap()?.metadata.ownerReferences, undefined, 'the HA ConfigMap outlives the JobManager');
});

test('last-state upgrade of the args: the job restores from its HA checkpoint pointer, counts go on exactly', async () => {
  await assertLastStateUpgrade({ job: { args: rig.args('out', 300) } }, 'spec.job.args (UPGRADE)');
});

test('last-state rescale 4 -> 2 -> 4 -> 1: at each step the job restores from its HA checkpoint pointer at the new parallelism, counts go on exactly', async () => {
  for (const parallelism of [2, 4, 1]) {
    await assertLastStateUpgrade({ job: { parallelism } }, 'spec.job.parallelism (SCALE)');
    assert.equal(rig.pods('taskmanager').length, parallelism, `TaskManagers at parallelism ${parallelism}`);
  }
});

test('the JobManager pod killed right after a stop-with-savepoint was sent: the upgrade ends with one job, restored from a snapshot, and exact counts', async (t) => {
  rig.patch({ job: { upgradeMode: 'savepoint' } });
  await until('savepoint mode recorded', () => (rig.status().reconciliation?.lastReconciledSpec?.includes('"upgradeMode":"savepoint"') ? true : undefined));
  const before = await snapshotBefore();
  let killed = 0;
  rig.onStopTriggered = () => {
    rig.onStopTriggered = undefined;
    killed = rig.cluster.kubelet.killPod('default', rig.pods('jobmanager')[0]!.metadata.name!);
  };
  const generation = rig.patch({ job: { args: rig.args('out', 250) } });
  // The killed JobManager restarts in its pod; the upgrade's is a new pod.
  const s = await rig.stableAgain(generation, JOB_ID, 'out', before.lines, () => jobManagerPod() !== undefined && jobManagerPod() !== before.jobManager);
  assert.ok(killed > 0, 'the JobManager process was killed');
  assert.equal(rig.pods('jobmanager').length, 1);
  const overview = (await (await fetch(`${jobManagerServiceUrl(NAME, 'default')}/jobs/overview`)).json()) as { jobs: { jid: string; state: string }[] };
  assert.deepEqual(overview.jobs.map((j) => [j.jid, j.state]), [[JOB_ID, 'RUNNING']]);
  assert.equal(rig.stopTriggers.size, before.triggers + 1, 'no second stop-with-savepoint: at most the same trigger sent again');
  const restored = await restoredFrom();
  // The restarted JobManager resumed the job from its HA pointer. If every task ran again when the
  // operator next asked, it sent the same trigger there and the upgrade restored from that savepoint;
  // if not, the job was not running, so the upgrade fell back to last-state (the default).
  t.diagnostic(`restored from ${restored?.is_savepoint ? 'the savepoint of the trigger sent again' : 'a checkpoint (last-state fallback)'}: ${restored?.external_path}`);
  if (s.reconciliation?.restorePath !== undefined) {
    assert.equal(restored?.is_savepoint, true);
    assert.equal(restored?.external_path, s.reconciliation.restorePath);
    assert.equal(s.savepoints?.last?.location, s.reconciliation.restorePath);
  } else {
    const fallbacks = rig.events('LastStateFallback').map((e) => String(e.message));
    assert.equal(fallbacks.length, 1);
    assert.match(fallbacks[0]!, /^The job is (not reachable|RESTARTING|INITIALIZING|CREATED|RUNNING with \d+ of \d+ tasks running), so no savepoint can be taken: upgrading with last-state from the latest checkpoint instead$/);
    assert.equal(restored?.is_savepoint, false);
    assert.equal(restored?.external_path, join(rig.dir, 'checkpoints', JOB_ID, `chk-${restored?.id}`));
  }
  assert.deepEqual(rig.logs.filter((l) => /failed \[/.test(l) && !/CONTROLLER_STOPPED|KUBE_CONFLICT|JOBMANAGER_UNREACHABLE/.test(l)), []);
});
