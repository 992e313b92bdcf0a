/**
 * End to end against the Kubernetes test server and process kubelet: the operator (in this
 * process) turns a StreamDeployment into a JobManager and TaskManagers that run the job,
 * reports it RUNNING and STABLE, suspends and resumes it, keeps the last valid deployment
 * when a spec is wrong in meaning, converges through API faults, and its children are
 * garbage-collected with it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeCluster } from '../support/kube/index.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import { SD, startOperatorTestCluster, statusOf, streamDeployment, until } from './operator-support.ts';
import { jobManagerServiceUrl } from '../../src/kube-operator/children/names.ts';
import { recordsFlowInAttempt, scrape } from '../support/records-flow.ts';

let cluster: KubeCluster;
let operator: WeirOperator;
let metricsPort: number;
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
  metricsPort = await operator.start();
});

after(async () => {
  await operator.stop();
  await cluster.stop();
});

const api = () => cluster.server.api;
const pods = (component: string) => api().list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component && p.metadata.labels?.['app.kubernetes.io/instance'] === 'fraud');
const events = (reason: string) => api().list('v1', 'Event', 'default').filter((e) => e.reason === reason && (e.involvedObject as { name: string }).name === 'fraud');

const SUCCESSFUL_PASSES = /^weir_operator_reconciles_total\{result="success"\} (\d+)$/m;
const API_ERRORS = /^weir_operator_reconcile_errors_total\{code="KUBE_API_ERROR"\} (\d+)$/m;

/** A sample of the operator's own /metrics, 0 when absent. */
async function metric(line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(line.exec(text)?.[1] ?? 0);
}

/** Waits for `n` more successful reconcile passes: how these tests let the operator's time go by without sleeping. */
async function morePasses(n: number): Promise<void> {
  const from = await metric(SUCCESSFUL_PASSES);
  await until(`${n} more successful passes`, async () => ((await metric(SUCCESSFUL_PASSES)) >= from + n ? true : undefined));
}

test('apply: children with owner references, a running job, status RUNNING and STABLE', async () => {
  const created = api().create(streamDeployment('fraud'));
  const stable = await until('STABLE', () => (statusOf(cluster, 'fraud').lifecycleState === 'STABLE' ? statusOf(cluster, 'fraud') : undefined), 90_000, () => statusOf(cluster, 'fraud'));
  assert.equal(stable.job?.state, 'RUNNING');
  assert.equal(stable.job?.name, 'endless');
  assert.match(stable.job?.id ?? '', /^[0-9a-f]{32}$/);
  assert.equal(stable.jobManagerDeploymentStatus, 'READY');
  assert.equal(stable.observedGeneration, 1);
  assert.deepEqual(stable.conditions?.map((c) => `${c.type}=${c.status}`), ['Degraded=False', 'Ready=True', 'Progressing=False']);
  for (const [apiVersion, kind, name] of [
    ['apps/v1', 'Deployment', 'fraud-jobmanager'],
    ['apps/v1', 'Deployment', 'fraud-taskmanager'],
    ['v1', 'Service', 'fraud-rest'],
    ['v1', 'ConfigMap', 'fraud-config'],
    ['v1', 'ServiceAccount', 'fraud-weir'],
    ['rbac.authorization.k8s.io/v1', 'Role', 'fraud-ha'],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'fraud-ha'],
  ] as const) {
    const child = api().get(apiVersion, kind, 'default', name);
    assert.deepEqual(child.metadata.ownerReferences?.map((r) => r.uid), [created.metadata.uid], `${kind}/${name} owner`);
  }
  assert.equal(pods('jobmanager').length, 1);
  assert.equal(pods('taskmanager').length, 2);
  assert.equal(events('Submit').length, 1);
  assert.equal(events('JobStatusChanged').length, 1);
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(metrics, /^weir_operator_streamdeployments\{lifecycle_state="STABLE"\} 1$/m);
  assert.match(metrics, /^weir_operator_reconciles_total\{result="success"\} \d+$/m);
});

test('a spec wrong in meaning: Degraded with the reason and an Event; the last valid deployment keeps running', async () => {
  const jmPod = pods('jobmanager')[0]!.metadata.uid;
  const jobId = statusOf(cluster, 'fraud').job?.id;
  api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/merge-patch+json', { spec: { image: '', configuration: { 'taskmanager.numberOfTaskSlots': '0' } } });
  const degraded = await until('Degraded', () => statusOf(cluster, 'fraud').conditions?.find((c) => c.type === 'Degraded' && c.status === 'True'));
  const message = 'spec.image is required: set it to the runtime image that holds the job, e.g. ghcr.io/acme/fraud-job:1.0; spec.configuration["taskmanager.numberOfTaskSlots"] is "0"; it must be a whole number >= 1';
  assert.equal(degraded.reason, 'ValidationError');
  assert.equal(degraded.message, message);
  assert.equal(events('ValidationError')[0]?.message, message);
  assert.equal(statusOf(cluster, 'fraud').observedGeneration, 2);
  // Passes over the bad spec (one a second): none of them touches the running deployment.
  await morePasses(2);
  assert.equal(pods('jobmanager')[0]!.metadata.uid, jmPod);
  assert.equal(statusOf(cluster, 'fraud').job?.id, jobId);
  assert.equal(statusOf(cluster, 'fraud').job?.state, 'RUNNING');
  // Fixing the spec clears the condition without redeploying (it equals the running spec again).
  api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/json-patch+json', [
    { op: 'replace', path: '/spec/image', value: 'weir:test' },
    { op: 'remove', path: '/spec/configuration' },
  ]);
  await until('Degraded cleared', () => (statusOf(cluster, 'fraud').conditions?.find((c) => c.type === 'Degraded')?.status === 'False' ? true : undefined));
  assert.equal(pods('jobmanager')[0]!.metadata.uid, jmPod);
});

test('upgradeMode savepoint without shared storage is Degraded saying what to set; the running job is untouched, and going back restarts nothing', async () => {
  const jmPod = pods('jobmanager')[0]!.metadata.uid;
  const generation = api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/merge-patch+json', { spec: { job: { upgradeMode: 'savepoint' } } }).metadata.generation;
  const degraded = await until('Degraded', () => {
    const c = statusOf(cluster, 'fraud').conditions?.find((x) => x.type === 'Degraded');
    return c?.status === 'True' && c.observedGeneration === generation ? c : undefined;
  });
  assert.equal(degraded.reason, 'ValidationError');
  assert.match(degraded.message ?? '', /^spec\.configuration\["state\.checkpoints\.dir"\] is not set, and upgradeMode savepoint needs checkpoints: .*; spec\.configuration\["state\.savepoints\.dir"\] is not set, and upgradeMode savepoint takes savepoints into it; set it to an s3:\/\/ URI, or a file:\/\/ path on a volume/);
  assert.equal(statusOf(cluster, 'fraud').job?.state, 'RUNNING');
  assert.ok(!statusOf(cluster, 'fraud').reconciliation?.lastReconciledSpec?.includes('"upgradeMode":"savepoint"'), 'the refused spec is not recorded as deployed');
  api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/merge-patch+json', { spec: { job: { upgradeMode: 'stateless' } } });
  await until('Degraded cleared', () => (statusOf(cluster, 'fraud').conditions?.find((c) => c.type === 'Degraded')?.status === 'False' ? true : undefined));
  // The mode is not part of what the pods run: neither change replaced them.
  assert.equal(pods('jobmanager')[0]!.metadata.uid, jmPod);
  assert.deepEqual(events('UpgradeStarted'), []);
});

test('suspend scales the cluster to zero; resume runs the job again', async () => {
  api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/merge-patch+json', { spec: { job: { state: 'suspended' } } });
  await until('SUSPENDED without pods', () => (statusOf(cluster, 'fraud').job?.state === 'SUSPENDED' && pods('jobmanager').length + pods('taskmanager').length === 0 ? true : undefined), 30_000, () => statusOf(cluster, 'fraud'));
  assert.equal(statusOf(cluster, 'fraud').lifecycleState, 'SUSPENDED');
  assert.deepEqual(['fraud-jobmanager', 'fraud-taskmanager'].map((d) => (api().get('apps/v1', 'Deployment', 'default', d).spec as { replicas: number }).replicas), [0, 0]);
  const before = statusOf(cluster, 'fraud').job?.id;
  api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/merge-patch+json', { spec: { job: { state: 'running' } } });
  const resumed = await until('STABLE again', () => (statusOf(cluster, 'fraud').lifecycleState === 'STABLE' ? statusOf(cluster, 'fraud') : undefined), 90_000, () => statusOf(cluster, 'fraud'));
  assert.equal(resumed.job?.state, 'RUNNING');
  assert.notEqual(resumed.job?.id, before);
  // Not only RUNNING: the resumed job moves records.
  await recordsFlowInAttempt(scrape(`${jobManagerServiceUrl('fraud', 'default')}/metrics`), resumed.job!.id!, 0);
});

test('API faults during reconciliation (500s, 409s, cut watches, 410 Gone): it converges', async () => {
  const faults = cluster.server.faults;
  const SD_WATCHES = '/apis/weir.dev/v1alpha1/streamdeployments';
  const DEPLOYMENT_WATCHES = '/apis/apps/v1/deployments';
  await until('the operator to watch StreamDeployments and Deployments', () => (faults.openWatches(SD_WATCHES) === 1 && faults.openWatches(DEPLOYMENT_WATCHES) === 1 ? true : undefined), 30_000, () => faults.openWatches());
  const fired = { fail: faults.fired('fail'), expired: faults.fired('expired') };
  faults.fail(3, 500, { method: 'PUT' });
  faults.fail(2, 409, { method: 'PUT', path: '/status' });
  faults.fail(2, 500, { method: 'GET', path: DEPLOYMENT_WATCHES });
  // The StreamDeployment watch ends as a server timeout ends it; its resumption is held back
  // until the spec change it would deliver is compacted away, so it gets 410 and relists.
  const resumed = faults.hold({ method: 'GET', path: /\/streamdeployments\?(.*&)?watch=true/ });
  assert.equal(faults.cutWatches(SD_WATCHES), 1);
  await until('the StreamDeployment watch to resume', () => (resumed.caught() === 1 ? true : undefined));
  const generation = api().patch(SD.apiVersion, SD.kind, 'default', 'fraud', 'application/merge-patch+json', { spec: { job: { parallelism: 3 } } }).metadata.generation;
  faults.compact();
  // The Deployment watch is reset: a broken watch relists, through two failed lists.
  assert.equal(faults.cutWatches(DEPLOYMENT_WATCHES, true), 1);
  resumed.release();
  const upgraded = await until('STABLE at parallelism 3', () => {
    const s = statusOf(cluster, 'fraud');
    return s.lifecycleState === 'STABLE' && s.observedGeneration === generation && pods('taskmanager').length === 3 ? s : undefined;
  }, 90_000, () => statusOf(cluster, 'fraud'));
  assert.equal(upgraded.job?.state, 'RUNNING');
  await recordsFlowInAttempt(scrape(`${jobManagerServiceUrl('fraud', 'default')}/metrics`), upgraded.job!.id!, 0);
  assert.equal(faults.fired('fail') - fired.fail, 7);
  assert.equal(faults.fired('expired') - fired.expired, 1);
  assert.equal(api().list('apps/v1', 'Deployment', 'default').filter((d) => d.metadata.labels?.['app.kubernetes.io/instance'] === 'fraud').length, 2);
});

test('delete: DELETING, then the StreamDeployment and all its children are gone', async () => {
  api().delete(SD.apiVersion, SD.kind, 'default', 'fraud');
  await until('children collected', () => {
    const left = [...api().list('apps/v1', 'Deployment', 'default'), ...api().list('v1', 'ConfigMap', 'default'), ...api().list('v1', 'Service', 'default'), ...api().list('v1', 'Pod', 'default')].filter(
      (o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'fraud',
    );
    return left.length === 0 && !api().tryGet(SD.apiVersion, SD.kind, 'default', 'fraud') ? true : undefined;
  }, 30_000);
  assert.equal(events('Deleting').length, 1);
});

test('a failed API call is an Error event on the StreamDeployment, and the next pass converges', async () => {
  cluster.server.faults.clear();
  const failed = cluster.server.faults.fired('fail');
  cluster.server.faults.fail(1, 500, { method: 'POST', path: '/namespaces/default/configmaps' });
  api().create(streamDeployment('flaky', { job: { entry: '/opt/weir/job/j.ts', parallelism: 1, state: 'suspended' } }));
  // SUSPENDED is recorded as the target before the children are written, so wait for the ConfigMap itself.
  await until('the ConfigMap after the retry', () => api().tryGet('v1', 'ConfigMap', 'default', 'flaky-config'), 30_000, () => statusOf(cluster, 'flaky'));
  assert.equal(statusOf(cluster, 'flaky').lifecycleState, 'SUSPENDED');
  const errors = api().list('v1', 'Event', 'default').filter((e) => e.reason === 'Error' && (e.involvedObject as { name: string }).name === 'flaky');
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]!.message), /^\[KUBE_API_ERROR\] POST \/api\/v1\/namespaces\/default\/configmaps: HTTP 500 /);
  assert.equal(errors[0]!.type, 'Warning');
  assert.equal(cluster.server.faults.fired('fail') - failed, 1);
  api().delete(SD.apiVersion, SD.kind, 'default', 'flaky');
});

test('a child the API server refuses as invalid is a terminal error: an Error event, no retries with backoff, and fixing the spec converges', async () => {
  // A suspended neighbour polled every second: its passes show time going by for the operator.
  api().create(streamDeployment('poller', { job: { entry: '/opt/weir/job/j.ts', parallelism: 1, state: 'suspended' } }));
  await until('the neighbour suspended', () => (statusOf(cluster, 'poller').lifecycleState === 'SUSPENDED' ? true : undefined));
  const errorsBefore = await metric(API_ERRORS);
  const sidecar = (name: string) => ({ taskManager: { podTemplate: { spec: { containers: [{ name, image: 'fluent-bit:3' }] } } } });
  api().create(streamDeployment('refused', { ...sidecar('Log_Shipper'), job: { entry: '/opt/weir/job/j.ts', parallelism: 1, state: 'suspended' } }));
  const refusals = () => api().list('v1', 'Event', 'default').filter((e) => e.reason === 'Error' && (e.involvedObject as { name: string }).name === 'refused');
  const event = await until('the Error event', () => refusals()[0]);
  assert.match(String(event.message), /^\[KUBE_API_ERROR\] POST \/apis\/apps\/v1\/namespaces\/default\/deployments: HTTP 422 Invalid: .*spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Log_Shipper"/);
  // Its own JobManager Deployment was created before the refusal, and that Deployment's watch events
  // reconcile it again (and fail again) until it settles; after that nothing retries it.
  await until('the JobManager Deployment settled', () => {
    const d = api().tryGet('apps/v1', 'Deployment', 'default', 'refused-jobmanager');
    return d && (d.status as { observedGeneration?: number } | undefined)?.observedGeneration === d.metadata.generation ? true : undefined;
  });
  await morePasses(2);
  const settled = await metric(API_ERRORS);
  assert.ok(settled > errorsBefore);
  // Retried with backoff, the pass would run again within about the time since it first failed.
  await morePasses(4);
  assert.equal(await metric(API_ERRORS), settled);
  assert.equal(refusals().length, 1);
  assert.equal(refusals()[0]!.count, settled - errorsBefore);
  assert.ok(logs.some((l) => l.startsWith('reconcile default/refused failed [KUBE_API_ERROR]') && l.endsWith('not retried: the next change of the StreamDeployment or its Deployments reconciles it again')));
  api().patch(SD.apiVersion, SD.kind, 'default', 'refused', 'application/merge-patch+json', { spec: sidecar('log-shipper') });
  await until('the TaskManager Deployment', () => api().tryGet('apps/v1', 'Deployment', 'default', 'refused-taskmanager'), 30_000, () => statusOf(cluster, 'refused'));
  api().delete(SD.apiVersion, SD.kind, 'default', 'refused');
  api().delete(SD.apiVersion, SD.kind, 'default', 'poller');
});
