/**
 * Snapshots on request and on schedule end to end (the set-up of stateful-upgrades.test.ts,
 * upgrade-support.ts): a checkpointTriggerNonce takes one checkpoint of the running job and
 * records it in status; periodic savepoints with a history of two delete the files of every
 * savepoint trimmed from it, so what is on disk is exactly the history.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from './operator-support.ts';
import { UpgradeRig } from './upgrade-support.ts';

let rig: UpgradeRig;

before(async () => {
  rig = await UpgradeRig.start('snapshots');
});

after(async () => {
  await rig.stop();
});

const status = () => rig.status();

test('apply with upgradeMode savepoint: the job runs and commits counts', async () => {
  rig.create({}, { args: rig.args('out', 200), parallelism: 2, maxParallelism: 16, upgradeMode: 'savepoint' });
  await rig.stableAgain(1, undefined);
});

test('checkpointTriggerNonce: one MANUAL checkpoint of the running job, recorded in status', async () => {
  const jobId = status().job?.id;
  const savepoints = (await rig.savepointDirs()).length;
  rig.patch({ job: { checkpointTriggerNonce: 1 } });
  const s = await until('the manual checkpoint recorded', () => (status().savepoints?.lastCheckpointNonce === 1 && status().savepoints?.pendingTrigger === undefined ? status() : undefined), 60_000, status);
  const checkpoint = s.savepoints?.lastCheckpoint;
  assert.equal(checkpoint?.triggerType, 'MANUAL');
  assert.ok(Number.isInteger(checkpoint?.checkpointId) && checkpoint!.checkpointId! > 0, `a checkpoint id: ${checkpoint?.checkpointId}`);
  assert.deepEqual(rig.events('CheckpointCompleted').map((e) => e.message), [`Checkpoint ${checkpoint?.checkpointId} completed (MANUAL)`]);
  assert.equal((await rig.savepointDirs()).length, savepoints, 'a checkpoint, not a savepoint');
  assert.equal(status().job?.id, jobId);
  assert.equal(status().job?.state, 'RUNNING');
});

test('periodic savepoints with a history of two: the files of trimmed savepoints are deleted, the latest kept', async () => {
  const periodic = () => rig.events('SavepointCompleted').filter((e) => String(e.message).endsWith('(PERIODIC)'));
  rig.patch({ configuration: { 'kubernetes.operator.periodic.savepoint.interval': '2s', 'kubernetes.operator.savepoint.history.max.count': '2' } });
  await until('four periodic savepoints', () => (periodic().length >= 4 ? true : undefined), 90_000, () => status().savepoints);
  rig.patch({ configuration: { 'kubernetes.operator.periodic.savepoint.interval': '0' } });
  const s = await until('no savepoint pending', () => (status().savepoints?.pendingTrigger === undefined && status().reconciliation?.lastReconciledSpec?.includes('"kubernetes.operator.periodic.savepoint.interval":"0"') ? status() : undefined), 60_000, status);
  const history = s.savepoints?.history ?? [];
  assert.equal(history.length, 2);
  assert.equal(history.at(-1)?.location, s.savepoints?.last?.location);
  assert.ok(history.every((h) => h.triggerType === 'PERIODIC'));
  const kept = history.map((h) => h.location!.split('/').at(-1)).sort();
  await until('only the history on disk', async () => ((await rig.savepointDirs()).sort().join() === kept.join() ? true : undefined), 30_000, () => rig.savepointDirs());
  assert.equal(status().job?.state, 'RUNNING');
});
