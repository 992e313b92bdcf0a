/**
 * Stateful upgrades end to end, on one Kubernetes test cluster with the process kubelet and
 * real JobManager/TaskManager processes: a job counting per key in keyed state writes
 * `seq,<key>,<seq>,<count>` through the exactly-once file sink, and goes through savepoint
 * upgrades of its args and of its parallelism (4 -> 2 -> 4 -> 1), a nonce savepoint, and upgrades
 * during which the operator is killed (after the stop-with-savepoint was sent, and after the
 * savepoint completed but before the operator recorded it). After all of it every key's
 * committed counts are 1, 2, 3, ... exactly once: no reset, no double count, and each upgrade
 * took exactly one savepoint. An upgrade whose job cannot start is rolled back, restoring the
 * stable spec from the upgrade's savepoint. Retention deletes the files of savepoints that leave the
 * history, and a stateless upgrade at the end starts the counts afresh.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from './operator-support.ts';
import { SEQUENCES_JOB, UpgradeRig } from './upgrade-support.ts';

let rig: UpgradeRig;

before(async () => {
  rig = await UpgradeRig.start('counts');
});

after(async () => {
  await rig.stop();
});

const status = () => rig.status();
const patch = (spec: object) => rig.patch(spec);
const events = (reason: string) => rig.events(reason);
const pods = (component: 'jobmanager' | 'taskmanager') => rig.pods(component);
const savepointDirs = () => rig.savepointDirs();
const args = (out: string, rate: number) => rig.args(out, rate);
const assertCountsExact = (out: string) => rig.assertCountsExact(out);
const stableAgain = (generation: number | undefined, previousJob: string | undefined, out = 'out', minLines = 0) => rig.stableAgain(generation, previousJob, out, minLines);

test('apply with upgradeMode savepoint: the job runs and commits counts', async () => {
  // Four source splits from the start: each key is read from one split in order at any parallelism
  // (a source subtask that is dealt no split ends, and a job with ended tasks is never STABLE).
  rig.create({}, { args: args('out', 200), parallelism: 4, maxParallelism: 16, upgradeMode: 'savepoint' });
  const s = await stableAgain(1, undefined);
  assert.equal(s.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
});

test('savepoint upgrade of the args: one stop-with-savepoint, the new job restores from it, counts go on', async () => {
  const before = { job: status().job?.id, lines: await assertCountsExact('out'), savepoints: (await savepointDirs()).length, triggers: rig.stopTriggers.size };
  const generation = patch({ job: { args: args('out', 300) } });
  const s = await stableAgain(generation, before.job, 'out', before.lines);
  assert.equal((await savepointDirs()).length, before.savepoints + 1);
  assert.equal(rig.stopTriggers.size, before.triggers + 1);
  assert.equal(s.savepoints?.last?.triggerType, 'UPGRADE');
  assert.equal(s.reconciliation?.restorePath, s.savepoints?.last?.location);
  assert.deepEqual(events('UpgradeStarted').map((e) => e.message), ['Upgrading with upgradeMode savepoint: spec.job.args (UPGRADE)']);
  assert.equal(events('SavepointCompleted').length, 1);
});

test('savepoint rescale 4 -> 2 -> 4 -> 1: counts go on exactly at each parallelism', async () => {
  for (const parallelism of [2, 4, 1]) {
    const before = { job: status().job?.id, lines: await assertCountsExact('out'), savepoints: (await savepointDirs()).length };
    const generation = patch({ job: { parallelism } });
    await stableAgain(generation, before.job, 'out', before.lines);
    assert.equal((await savepointDirs()).length, before.savepoints + 1, `one savepoint for parallelism ${parallelism}`);
    assert.equal(pods('taskmanager').length, parallelism);
    assert.ok(events('UpgradeStarted').some((e) => String(e.message) === `Upgrading with upgradeMode savepoint: spec.job.parallelism (SCALE)`));
  }
});

test('savepointTriggerNonce: one MANUAL savepoint of the running job, which keeps running', async () => {
  const jobId = status().job?.id;
  const before = (await savepointDirs()).length;
  patch({ job: { savepointTriggerNonce: 1 } });
  const s = await until('the manual savepoint', () => (status().savepoints?.last?.triggerType === 'MANUAL' ? status() : undefined), 60_000, status);
  assert.equal(s.savepoints?.lastSavepointNonce, 1);
  assert.equal(s.savepoints?.pendingTrigger, undefined);
  assert.equal((await savepointDirs()).length, before + 1);
  assert.equal(status().job?.id, jobId);
  assert.equal(status().job?.state, 'RUNNING');
});

for (const point of ['trigger', 'completed'] as const) {
  test(`the operator killed after the savepoint ${point === 'trigger' ? 'trigger was sent' : 'completed (before it recorded the path)'}: a new operator converges to one job with exactly one savepoint`, async () => {
    const before = { job: status().job?.id, lines: await assertCountsExact('out'), savepoints: (await savepointDirs()).length, triggers: rig.stopTriggers.size, history: status().savepoints?.history?.length ?? 0 };
    rig.killAt = point;
    const generation = patch({ job: { args: args('out', point === 'trigger' ? 250 : 350) } });
    await until('the operator killed', () => (rig.stopping ? true : undefined), 60_000, status);
    await rig.stopping;
    rig.stopping = undefined;
    const log = status().reconciliation?.upgrade;
    // What the killed operator left in its write-ahead log: the trigger id, and no path yet.
    assert.equal(log?.step, 'SAVEPOINTING');
    assert.match(log?.triggerId ?? '', /^[0-9a-f]{32}$/);
    assert.equal(log?.savepointPath, undefined);
    await rig.startOperator();
    await stableAgain(generation, before.job, 'out', before.lines);
    assert.equal((await savepointDirs()).length, before.savepoints + 1);
    assert.equal(rig.stopTriggers.size, before.triggers + 1, 'the new operator sent no stop-with-savepoint of its own');
    assert.equal(status().savepoints?.history?.length, before.history + 1);
    assert.equal(pods('jobmanager').length, 1);
  });
}

test('rollback: an upgrade to an entry that cannot start is rolled back to the stable spec, restoring from the upgrade\'s savepoint', async () => {
  patch({ configuration: { 'kubernetes.operator.deployment.rollback.enabled': 'true', 'kubernetes.operator.deployment.readiness.timeout': '8s' } });
  await until('the settings recorded', () => (status().reconciliation?.lastReconciledSpec?.includes('rollback.enabled') ? true : undefined));
  const before = { job: status().job?.id, lines: await assertCountsExact('out'), stable: status().reconciliation?.lastStableSpec };
  const generation = patch({ job: { entry: '/opt/weir/job/missing-job.ts' } });
  const rolledBack = await until('ROLLED_BACK', () => (status().lifecycleState === 'ROLLED_BACK' && status().job?.state === 'RUNNING' ? status() : undefined), 120_000, status);
  assert.equal(rolledBack.observedGeneration, generation);
  assert.equal(rolledBack.reconciliation?.lastReconciledSpec, before.stable);
  assert.equal(rolledBack.conditions?.find((c) => c.type === 'Degraded')?.reason, 'RolledBack');
  assert.match(String(events('RolledBack')[0]?.message), /^The upgrade was not stable within 8 s \(the JobManager did not answer\): rolling back to the last stable spec with last-state$/);
  assert.notEqual(rolledBack.job?.id, before.job);
  await until('output from the rolled back job', async () => ((await assertCountsExact('out')) > before.lines ? true : undefined), 60_000);
  patch({ job: { entry: SEQUENCES_JOB }, configuration: { 'kubernetes.operator.deployment.rollback.enabled': 'false' } });
  await until('STABLE on the stable spec again', () => (status().lifecycleState === 'STABLE' ? true : undefined), 60_000, status);
});

test('history retention: a smaller max count deletes the older savepoints\' files at once, keeping the latest', async () => {
  const latest = status().savepoints?.last?.location;
  assert.ok((await savepointDirs()).length > 2);
  patch({ configuration: { 'kubernetes.operator.savepoint.history.max.count': '2' } });
  const s = await until('the history trimmed', () => (status().savepoints?.history?.length === 2 ? status() : undefined), 30_000, status);
  assert.equal(s.savepoints?.history?.at(-1)?.location, latest);
  const kept = s.savepoints!.history!.map((h) => h.location!.split('/').at(-1)).sort();
  await until('the files of the others deleted', async () => ((await savepointDirs()).sort().join() === kept.join() ? true : undefined), 30_000, savepointDirs);
});

test('stateless upgrade: cancelled and started afresh, its counts begin at 1 again; the savepoint mode output stays exact', async () => {
  const before = { job: status().job?.id, savepoints: (await savepointDirs()).length };
  const generation = patch({ job: { entry: SEQUENCES_JOB, upgradeMode: 'stateless', args: args('fresh', 300) } });
  const s = await stableAgain(generation, before.job, 'fresh');
  assert.equal(s.reconciliation?.restorePath, undefined);
  assert.equal((await savepointDirs()).length, before.savepoints);
  assert.ok((await assertCountsExact('out')) > 0);
  assert.deepEqual(rig.logs.filter((l) => /failed \[/.test(l) && !/CONTROLLER_STOPPED|KUBE_CONFLICT/.test(l)), []);
});
