/**
 * The operator killed at the late steps of a savepoint upgrade (the set-up of
 * stateful-upgrades.test.ts, upgrade-support.ts): once the old JobManager pod is deleted, and
 * once the new one is created. A new operator process converges to one job, restored from the
 * upgrade's one savepoint, and every key's committed counts go on exactly.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from './operator-support.ts';
import { UpgradeRig } from './upgrade-support.ts';

const NAME = 'crash-points';
let rig: UpgradeRig;

before(async () => {
  rig = await UpgradeRig.start(NAME);
});

after(async () => {
  await rig.stop();
});

test('apply with upgradeMode savepoint: the job runs and commits counts', async () => {
  rig.create({}, { args: rig.args('out', 200), parallelism: 2, maxParallelism: 16, upgradeMode: 'savepoint' });
  await rig.stableAgain(1, undefined);
});

for (const point of ['jobmanager-deleted', 'jobmanager-created'] as const) {
  test(`the operator killed once the ${point === 'jobmanager-deleted' ? 'old JobManager pod is deleted' : 'new JobManager pod is created'}: a new operator converges to one job restored from the one savepoint`, async () => {
    const before = { job: rig.status().job?.id, lines: await rig.assertCountsExact('out'), savepoints: (await rig.savepointDirs()).length, triggers: rig.stopTriggers.size, history: rig.status().savepoints?.history?.length ?? 0 };
    rig.killAt = point;
    const generation = rig.patch({ job: { args: rig.args('out', point === 'jobmanager-deleted' ? 250 : 300) } });
    await until('the operator killed', () => (rig.stopping ? true : undefined), 60_000, () => rig.status());
    await rig.stopping;
    rig.stopping = undefined;
    // The savepoint was recorded before the JobManager was replaced; the upgrade's log, if still there, is at its last step.
    const killed = rig.status();
    assert.equal(killed.savepoints?.history?.length, before.history + 1);
    const path = killed.savepoints?.last?.location;
    assert.equal(killed.reconciliation?.restorePath, path);
    if (killed.reconciliation?.upgrade !== undefined) assert.equal(killed.reconciliation.upgrade.step, 'DEPLOYING');
    await rig.startOperator();
    const s = await rig.stableAgain(generation, before.job, 'out', before.lines);
    assert.equal(s.reconciliation?.restorePath, path, 'the new job restored from the upgrade\'s savepoint');
    assert.equal((await rig.savepointDirs()).length, before.savepoints + 1);
    assert.equal(rig.stopTriggers.size, before.triggers + 1, 'one stop-with-savepoint');
    assert.equal(s.savepoints?.history?.length, before.history + 1);
    assert.equal(rig.pods('jobmanager').length, 1);
    assert.deepEqual(await rig.jobs(), [[s.job?.id, 'RUNNING']]);
  });
}
