/**
 * JobManager high availability end to end: the operator (leader-elected on a ConfigMap, as
 * with --leader-election-lock configmaps) deploys a StreamDeployment with
 * `high-availability.type: kubernetes`; the JobManager records checkpoint pointers in
 * `<name>-<jobId>-config-map`; its process is killed, the kubelet restarts it, and the new
 * JobManager takes the lock once the old lease expired and resumes the job from the newest
 * pointer with no operator action: every keyed counter continues exactly through the
 * exactly-once file sink, and the job's HA ConfigMap is deleted when the job finished.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeCluster } from '../support/kube/index.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import { LEADER_ANNOTATION } from '../../src/kube/configmap-lock.ts';
import { fixedJobId } from '../../src/runtime/jobmanager/ha/ha-config.ts';
import { readPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import { bySequence } from '../support/chaos-cluster.ts';
import { startOperatorTestCluster, statusOf, streamDeployment, until } from './operator-support.ts';

const JOB = resolve('test/fixtures/jobs/exactly-once-sequences.ts');
const RECORDS = 9000;
let cluster: KubeCluster;
let operator: WeirOperator;
let dir: string;
const logs: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weir-jm-ha-'));
  cluster = await startOperatorTestCluster();
  operator = new WeirOperator({
    kc: cluster.server.kubeconfig,
    identity: 'operator-under-test',
    namespaces: [],
    httpPort: 0,
    httpHost: '127.0.0.1',
    timing: { progressIntervalMs: 300, stableIntervalMs: 1000 },
    leaderElection: { enabled: true, lock: 'configmaps', leaseName: 'weir-operator', leaseNamespace: 'default', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 },
    log: (line) => logs.push(line),
  });
  await operator.start();
});

after(async () => {
  await operator.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = () => cluster.server.api;
const configMap = (name: string) => api().tryGet('v1', 'ConfigMap', 'default', name);

async function committedLines(out: string): Promise<string[]> {
  const names = (await readdir(out)).filter((n) => n.startsWith('part-'));
  return (await Promise.all(names.map((n) => readFile(join(out, n), 'utf8')))).flatMap((text) => text.split('\n').filter((l) => l !== ''));
}

test('a killed JobManager comes back and resumes from the HA pointer without the operator; counters continue exactly', async () => {
  const out = join(dir, 'out');
  const jobId = fixedJobId('counts');
  api().create(
    streamDeployment('counts', {
      configuration: {
        'taskmanager.numberOfTaskSlots': '2',
        'execution.checkpointing.interval': '300ms',
        'state.checkpoints.dir': join(dir, 'checkpoints'),
        'high-availability.type': 'kubernetes',
        'high-availability.storageDir': join(dir, 'ha'),
        'high-availability.kubernetes.leader-election.lease-duration': '3s',
        'high-availability.kubernetes.leader-election.renew-deadline': '2s',
        'high-availability.kubernetes.leader-election.retry-period': '300ms',
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '10',
        'restart-strategy.fixed-delay.delay': '200ms',
      },
      job: { entry: JOB, parallelism: 2, args: ['--records', String(RECORDS), '--rate', '500', '--out', out] },
    }),
  );
  // The operator's own lock is a ConfigMap too.
  assert.match((await until('the operator lock', () => configMap('weir-operator')))!.metadata.annotations![LEADER_ANNOTATION]!, /"holderIdentity":"operator-under-test"/);
  const jobCm = `counts-${jobId}-config-map`;
  const before = await until('two checkpoint pointers', () => {
    const cm = configMap(jobCm);
    const recovered = cm ? readPointers((cm.data ?? {}) as Record<string, string>) : undefined;
    return recovered && recovered.pointers.length > 0 && recovered.pointers[0]!.checkpointId >= 2 ? recovered : undefined;
  }, 120_000, () => statusOf(cluster, 'counts'));
  assert.equal(configMap(jobCm)!.metadata.ownerReferences, undefined, 'HA ConfigMaps outlive the JobManager');
  const clusterCm = configMap('counts-cluster-config-map')!;
  const leader = JSON.parse(clusterCm.metadata.annotations![LEADER_ANNOTATION]!) as { holderIdentity: string; leaderTransitions: number };
  assert.match(String((clusterCm.data as Record<string, string>).address), /^http:\/\/127\.[\d.]+:8081$/);

  const jmPod = api().list('v1', 'Pod', 'default').find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager' && p.metadata.labels?.['app.kubernetes.io/instance'] === 'counts')!;
  assert.equal(cluster.kubelet.killPod('default', jmPod.metadata.name!) > 0, true);

  // The restarted JobManager takes the lock once the dead one's lease expired, and records checkpoints past the old ones.
  await until('a new leader recording newer checkpoints', () => {
    const cm = configMap(jobCm);
    const annotation = JSON.parse(configMap('counts-cluster-config-map')!.metadata.annotations![LEADER_ANNOTATION]!) as { holderIdentity: string };
    const newest = cm ? readPointers((cm.data ?? {}) as Record<string, string>).pointers[0] : undefined;
    return annotation.holderIdentity !== leader.holderIdentity && newest && newest.checkpointId > before.pointers[0]!.checkpointId ? true : undefined;
  }, 120_000);
  const after = JSON.parse(configMap('counts-cluster-config-map')!.metadata.annotations![LEADER_ANNOTATION]!) as { leaderTransitions: number };
  assert.equal(after.leaderTransitions, leader.leaderTransitions + 1);

  await until('the job finished and its HA ConfigMap is gone', () => (statusOf(cluster, 'counts').job?.state === 'FINISHED' && configMap(jobCm) === undefined ? true : undefined), 180_000, () => statusOf(cluster, 'counts'));
  assert.equal(statusOf(cluster, 'counts').job?.id, jobId);
  const seqs = bySequence(await committedLines(out));
  assert.equal(seqs.size, RECORDS);
  for (const [id, counts] of seqs) assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}: committed once, the count going on from the restored state`);
});

test('jobManager.replicas 2: one leader runs the job, the standby is alive but not ready, and a new leader resumes it exactly', async () => {
  const out = join(dir, 'out-standby');
  const jobId = fixedJobId('standby');
  api().create(
    streamDeployment('standby', {
      configuration: {
        'taskmanager.numberOfTaskSlots': '2',
        'execution.checkpointing.interval': '300ms',
        'state.checkpoints.dir': join(dir, 'checkpoints-standby'),
        'high-availability.type': 'kubernetes',
        'high-availability.kubernetes.leader-election.lease-duration': '3s',
        'high-availability.kubernetes.leader-election.renew-deadline': '2s',
        'high-availability.kubernetes.leader-election.retry-period': '300ms',
      },
      jobManager: { replicas: 2 },
      job: { entry: JOB, parallelism: 2, args: ['--records', '6000', '--rate', '500', '--out', out] },
    }),
  );
  const jobCm = `standby-${jobId}-config-map`;
  await until('a checkpoint pointer', () => (configMap(jobCm) && readPointers((configMap(jobCm)!.data ?? {}) as Record<string, string>).pointers.length > 0 ? true : undefined), 120_000, () => statusOf(cluster, 'standby'));
  const jmPods = () => api().list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager' && p.metadata.labels?.['app.kubernetes.io/instance'] === 'standby');
  assert.equal(jmPods().length, 2);
  const holder = () => (JSON.parse(configMap('standby-cluster-config-map')!.metadata.annotations![LEADER_ANNOTATION]!) as { holderIdentity: string }).holderIdentity;
  const leaderName = holder().replace(/_[0-9a-f]{8}$/, '');
  const standbyPod = jmPods().find((p) => p.metadata.name !== leaderName)!;
  const standbyUrl = `http://${cluster.kubelet.podIP('default', standbyPod.metadata.name!)}:8081`;
  assert.equal((await fetch(`${standbyUrl}/healthz`)).status, 200);
  const refused = await fetch(`${standbyUrl}/jobs/overview`);
  assert.equal(refused.status, 503);
  assert.match(((await refused.json()) as { errors: string[] }).errors[0]!, /standby; the leader is standby-jobmanager-/);

  const old = holder();
  assert.ok(cluster.kubelet.killPod('default', leaderName) > 0);
  await until('a new leader', () => (holder() !== old ? true : undefined), 60_000);
  await until('the job finished', () => (statusOf(cluster, 'standby').job?.state === 'FINISHED' ? true : undefined), 180_000, () => statusOf(cluster, 'standby'));
  const seqs = bySequence(await committedLines(out));
  assert.equal(seqs.size, 6000);
  for (const [id, counts] of seqs) assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}`);
});

test('deleting a StreamDeployment with HA deletes its JobManager first, then its HA ConfigMaps', async () => {
  const haConfigMaps = () => api().list('v1', 'ConfigMap', 'default').filter((c) => c.metadata.labels?.['weir.dev/configmap-type'] === 'high-availability').map((c) => c.metadata.name!).sort();
  assert.ok(haConfigMaps().includes('counts-cluster-config-map'), 'the lock stays after the job finished');
  for (const sd of api().list('weir.dev/v1alpha1', 'StreamDeployment', 'default')) api().delete('weir.dev/v1alpha1', 'StreamDeployment', 'default', sd.metadata.name!);
  await until('the StreamDeployments gone', () => (api().list('weir.dev/v1alpha1', 'StreamDeployment', 'default').length === 0 ? true : undefined), 60_000, () => logs.slice(-5));
  assert.deepEqual(haConfigMaps(), []);
  assert.equal(configMap('weir-operator') !== undefined, true, "the operator's own lock is not the runtime's");
});
