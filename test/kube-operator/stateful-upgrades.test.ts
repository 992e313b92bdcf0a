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
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeCluster } from '../support/kube/index.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import type { OperatorOptions } from '../../src/kube-operator/weir-operator.ts';
import { HttpJobManagerApi } from '../../src/kube-operator/jobmanager/http-jobmanager-api.ts';
import type { JobManagerApi } from '../../src/kube-operator/jobmanager/jobmanager-api.ts';
import { jobManagerServiceUrl } from '../../src/kube-operator/children/names.ts';
import type { StreamDeploymentStatus } from '../../src/kube-operator/crd/stream-deployment-schema.ts';
import { SD, sharedHostDir, startOperatorTestCluster, statusOf, until } from './operator-support.ts';

const JOB = resolve('test/fixtures/jobs/exactly-once-sequences.ts');
const NAME = 'counts';

let cluster: KubeCluster;
let operator: WeirOperator;
let dir: string;
let stopping: Promise<void> | undefined;
const logs: string[] = [];
/** When set, the operator is stopped right after this happens, as if its process were killed there. */
let killAt: 'trigger' | 'completed' | undefined;
/** Distinct trigger ids of stop-with-savepoint requests (a resent trigger keeps its id). */
const stopTriggers = new Set<string>();

/** The HTTP JobManagerApi, with the kill points and the trigger ids of stop-with-savepoint requests. */
function jobManagerApi(name: string, namespace: string): JobManagerApi {
  const api = new HttpJobManagerApi(jobManagerServiceUrl(name, namespace));
  return {
    currentJob: () => api.currentJob(),
    cancel: (jobId) => api.cancel(jobId),
    triggerCheckpoint: (jobId, triggerId) => api.triggerCheckpoint(jobId, triggerId),
    async triggerSavepoint(jobId, triggerId, then) {
      await api.triggerSavepoint(jobId, triggerId, then);
      if (then === 'stop') stopTriggers.add(triggerId);
      if (killAt === 'trigger') kill();
    },
    async snapshotStatus(jobId, kind, triggerId) {
      const outcome = await api.snapshotStatus(jobId, kind, triggerId);
      if (killAt === 'completed' && outcome.status === 'COMPLETED') kill();
      return outcome;
    },
  };
}

function kill(): void {
  killAt = undefined;
  // The controller aborts at once: no later action of this pass (or any other) runs.
  stopping = operator.stop();
}

function newOperator(): WeirOperator {
  const options: OperatorOptions = {
    kc: cluster.server.kubeconfig,
    identity: 'operator-under-test',
    namespaces: [],
    httpPort: 0,
    httpHost: '127.0.0.1',
    timing: { progressIntervalMs: 300, stableIntervalMs: 1000 },
    jobManagerApi,
    leaderElection: { enabled: false, leaseName: 'weir-operator', leaseNamespace: 'default', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    log: (l) => logs.push(l),
  };
  return new WeirOperator(options);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weir-upgrades-'));
  cluster = await startOperatorTestCluster();
  operator = newOperator();
  await operator.start();
});

after(async () => {
  await stopping;
  await operator.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = () => cluster.server.api;
const status = () => statusOf(cluster, NAME);
const patch = (spec: object) => api().patch(SD.apiVersion, SD.kind, 'default', NAME, 'application/merge-patch+json', { spec }).metadata.generation;
const events = (reason: string) => api().list('v1', 'Event', 'default').filter((e) => e.reason === reason && (e.involvedObject as { name: string }).name === NAME);
const pods = (component: string) => api().list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component && p.metadata.labels?.['app.kubernetes.io/instance'] === NAME);
const savepointDirs = async () => (await readdir(join(dir, 'savepoints')).catch(() => [] as string[])).filter((n) => n.startsWith('savepoint-'));
const args = (out: string, rate: number) => ['--records', '100000000', '--rate', String(rate), '--out', join(dir, out)];

/** Committed lines `seq,<key>,<seq>,<count>` by key. */
async function committed(out: string): Promise<Map<number, number[][]>> {
  const names = (await readdir(join(dir, out)).catch(() => [] as string[])).filter((n) => n.startsWith('part-'));
  const lines = (await Promise.all(names.map((n) => readFile(join(dir, out, n), 'utf8')))).flatMap((t) => t.split('\n')).filter((l) => l.startsWith('seq,'));
  const byKey = new Map<number, number[][]>();
  for (const l of lines) {
    const [, key, seq, count] = l.split(',').map(Number);
    byKey.set(key!, [...(byKey.get(key!) ?? []), [seq!, count!]]);
  }
  return byKey;
}

/**
 * Each key's split is read in index order, so what is committed of a key is a prefix of its
 * sequence: 0..n exactly once each, counted 1..n+1 from state that went on across every job.
 */
async function assertCountsExact(out: string): Promise<number> {
  const byKey = await committed(out);
  assert.equal(byKey.size, 4, `keys committed to ${out}`);
  let total = 0;
  for (const [key, pairs] of byKey) {
    const sorted = [...pairs].sort((a, b) => a[0]! - b[0]!);
    sorted.forEach(([seq, count], i) => {
      assert.equal(seq, i, `key ${key}: sequence number ${i} committed exactly once (found ${seq})`);
      assert.equal(count, seq! + 1, `key ${key} seq ${seq}: the count went on from the restored state`);
    });
    total += sorted.length;
  }
  return total;
}

/** Waits until the current spec runs STABLE with a job other than `previousJob`, and output moved past `minLines`. */
async function stableAgain(generation: number | undefined, previousJob: string | undefined, out = 'out', minLines = 0): Promise<StreamDeploymentStatus> {
  const s = await until('STABLE on the new spec', () => {
    const st = status();
    return st.lifecycleState === 'STABLE' && st.observedGeneration === generation && st.job?.state === 'RUNNING' && st.job.id !== previousJob && st.reconciliation?.upgrade === undefined ? st : undefined;
  }, 120_000, status);
  await until('committed output from the new job', async () => ((await assertCountsExact(out)) > minLines ? true : undefined), 60_000);
  return s;
}

test('apply with upgradeMode savepoint: the job runs and commits counts', async () => {
  api().create({
    ...SD,
    metadata: { name: NAME, namespace: 'default' },
    spec: {
      image: 'weir:test',
      ...sharedHostDir(dir),
      configuration: {
        'execution.checkpointing.interval': '300ms',
        'state.checkpoints.dir': join(dir, 'checkpoints'),
        'state.savepoints.dir': join(dir, 'savepoints'),
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '10',
        'restart-strategy.fixed-delay.delay': '200ms',
      },
      // Four source splits from the start: each key is read from one split in order at any parallelism
      // (a source subtask that is dealt no split ends, and a job with ended tasks is never STABLE).
      job: { entry: JOB, args: args('out', 200), parallelism: 4, maxParallelism: 16, upgradeMode: 'savepoint' },
    },
  });
  const s = await stableAgain(1, undefined);
  assert.equal(s.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
});

test('savepoint upgrade of the args: one stop-with-savepoint, the new job restores from it, counts go on', async () => {
  const before = { job: status().job?.id, lines: await assertCountsExact('out'), savepoints: (await savepointDirs()).length, triggers: stopTriggers.size };
  const generation = patch({ job: { args: args('out', 300) } });
  const s = await stableAgain(generation, before.job, 'out', before.lines);
  assert.equal((await savepointDirs()).length, before.savepoints + 1);
  assert.equal(stopTriggers.size, before.triggers + 1);
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
    const before = { job: status().job?.id, lines: await assertCountsExact('out'), savepoints: (await savepointDirs()).length, triggers: stopTriggers.size, history: status().savepoints?.history?.length ?? 0 };
    killAt = point;
    const generation = patch({ job: { args: args('out', point === 'trigger' ? 250 : 350) } });
    await until('the operator killed', () => (stopping ? true : undefined), 60_000, status);
    await stopping;
    stopping = undefined;
    const log = status().reconciliation?.upgrade;
    // What the killed operator left in its write-ahead log: the trigger id, and no path yet.
    assert.equal(log?.step, 'SAVEPOINTING');
    assert.match(log?.triggerId ?? '', /^[0-9a-f]{32}$/);
    assert.equal(log?.savepointPath, undefined);
    operator = newOperator();
    await operator.start();
    await stableAgain(generation, before.job, 'out', before.lines);
    assert.equal((await savepointDirs()).length, before.savepoints + 1);
    assert.equal(stopTriggers.size, before.triggers + 1, 'the new operator sent no stop-with-savepoint of its own');
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
  patch({ job: { entry: JOB }, configuration: { 'kubernetes.operator.deployment.rollback.enabled': 'false' } });
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
  const generation = patch({ job: { entry: JOB, upgradeMode: 'stateless', args: args('fresh', 300) } });
  const s = await stableAgain(generation, before.job, 'fresh');
  assert.equal(s.reconciliation?.restorePath, undefined);
  assert.equal((await savepointDirs()).length, before.savepoints);
  assert.ok((await assertCountsExact('out')) > 0);
  assert.deepEqual(logs.filter((l) => /failed \[/.test(l) && !/CONTROLLER_STOPPED|KUBE_CONFLICT/.test(l)), []);
});
