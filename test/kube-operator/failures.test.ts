/**
 * End to end against the Kubernetes test server and process kubelet: what the operator
 * reports when the cluster it deploys cannot run, and that it lets go of a StreamDeployment
 * whose namespace is being deleted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeCluster } from '../support/kube/index.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import { ENDLESS_JOB, SD, startOperatorTestCluster, statusOf, streamDeployment, until } from './operator-support.ts';

let cluster: KubeCluster;
let operator: WeirOperator;
const logs: string[] = [];

before(async () => {
  cluster = await startOperatorTestCluster();
  operator = new WeirOperator({
    kc: cluster.server.kubeconfig,
    identity: 'operator-under-test',
    namespaces: [],
    httpPort: 0,
    httpHost: '127.0.0.1',
    timing: { progressIntervalMs: 300, stableIntervalMs: 1000 },
    leaderElection: { enabled: false, leaseName: 'weir-operator', leaseNamespace: 'default', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    log: (l) => logs.push(l),
  });
  await operator.start();
});

after(async () => {
  await operator.stop();
  await cluster.stop();
});

const api = () => cluster.server.api;
const eventsOf = (name: string, reason: string, namespace = 'default') =>
  api().list('v1', 'Event', namespace).filter((e) => e.reason === reason && (e.involvedObject as { name: string }).name === name);

test('a job entry missing from the image: the JobManager crash-loops, and the StreamDeployment says so until the spec is fixed', async () => {
  api().create(streamDeployment('no-entry', { job: { entry: '/opt/weir/job/missing.ts', parallelism: 1 } }));
  const failed = await until('jobManagerDeploymentStatus ERROR', () => (statusOf(cluster, 'no-entry').jobManagerDeploymentStatus === 'ERROR' ? statusOf(cluster, 'no-entry') : undefined), 60_000, () => statusOf(cluster, 'no-entry'));
  const pod = api().list('v1', 'Pod', 'default').find((p) => p.metadata.labels?.['app.kubernetes.io/instance'] === 'no-entry')!;
  const message = `the JobManager keeps crashing: container jobmanager of pod ${pod.metadata.name ?? ''} is in CrashLoopBackOff, last exit code 1 (Error): weir: [JOB_NOT_FOUND] job module /opt/weir/job/missing.ts does not exist`;
  const degraded = failed.conditions?.find((c) => c.type === 'Degraded');
  assert.deepEqual([degraded?.status, degraded?.reason, degraded?.message], ['True', 'CrashLoopBackOff', message]);
  assert.equal(failed.error, message);
  assert.equal(failed.lifecycleState, 'DEPLOYED');
  const warning = await until('the Warning event', () => eventsOf('no-entry', 'CrashLoopBackOff')[0]);
  assert.deepEqual([warning.type, warning.message], ['Warning', message]);
  // The pod keeps restarting; the status keeps saying ERROR between restarts, with the one Event.
  await until('two more restarts', () => {
    const statuses = (api().tryGet('v1', 'Pod', 'default', pod.metadata.name ?? '')?.status as { containerStatuses?: { restartCount: number }[] } | undefined)?.containerStatuses;
    return (statuses?.[0]?.restartCount ?? 0) >= 3 ? true : undefined;
  });
  assert.equal(statusOf(cluster, 'no-entry').jobManagerDeploymentStatus, 'ERROR');
  assert.equal(eventsOf('no-entry', 'CrashLoopBackOff').length, 1);

  api().patch(SD.apiVersion, SD.kind, 'default', 'no-entry', 'application/merge-patch+json', { spec: { job: { entry: ENDLESS_JOB } } });
  const stable = await until('STABLE once the entry exists', () => (statusOf(cluster, 'no-entry').lifecycleState === 'STABLE' ? statusOf(cluster, 'no-entry') : undefined), 90_000, () => statusOf(cluster, 'no-entry'));
  assert.equal(stable.jobManagerDeploymentStatus, 'READY');
  assert.equal(stable.error, undefined);
  assert.equal(stable.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
  api().delete(SD.apiVersion, SD.kind, 'default', 'no-entry');
});

test('deleting the namespace of a StreamDeployment finishes: the refused Deleting event does not hold the finalizer', async () => {
  api().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
  api().create({ ...streamDeployment('short-lived', { job: { entry: ENDLESS_JOB, parallelism: 1, state: 'suspended' } }), metadata: { name: 'short-lived', namespace: 'doomed' } });
  const suspended = () => api().tryGet(SD.apiVersion, SD.kind, 'doomed', 'short-lived')?.status as { lifecycleState?: string } | undefined;
  await until('SUSPENDED', () => (suspended()?.lifecycleState === 'SUSPENDED' ? true : undefined));
  api().delete('v1', 'Namespace', '', 'doomed');
  await until('the namespace gone', () => (api().tryGet('v1', 'Namespace', '', 'doomed') ? undefined : true), 30_000, () => api().tryGet(SD.apiVersion, SD.kind, 'doomed', 'short-lived'));
  assert.ok(logs.some((l) => l.startsWith('could not record the Deleting event for doomed/short-lived: POST /api/v1/namespaces/doomed/events: HTTP 403 Forbidden')), logs.join('\n'));
});
