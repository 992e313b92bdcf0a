import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryEvents, InMemoryJobManager, InMemoryKube } from '../../../test/support/kube-operator/in-memory-targets.ts';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import { FINALIZER } from '../children/names.ts';
import { KubeApiError } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { resourcePath } from '../kube/kube-object.ts';
import { WeirError } from '../../errors/index.ts';
import type { ReconcilePlan } from './actions.ts';
import type { TaskCounts } from './facts.ts';
import { performActions } from './perform-actions.ts';
import { PlanExecutor, observe } from './plan-executor.ts';
import { Registry } from 'prom-client';
import { AutoscalerMetrics } from '../autoscaler/autoscaler-metrics.ts';
import type { ObservedVertex } from '../autoscaler/jobmanager-vertex-metrics.ts';

const SD_PATH = resourcePath('weir.dev/v1alpha1', 'StreamDeployment', 'jobs', 'fraud');
const CM_COLLECTION = resourcePath('v1', 'ConfigMap', 'jobs');
const JOB_ID = 'a'.repeat(32);
const TIMING = { progressIntervalMs: 1000, stableIntervalMs: 10_000 };

function storeSd(kube: InMemoryKube, meta: Partial<StreamDeployment['metadata']> = {}, status?: StreamDeploymentStatus): StreamDeployment {
  const sd = {
    apiVersion: 'weir.dev/v1alpha1',
    kind: 'StreamDeployment',
    metadata: { name: 'fraud', namespace: 'jobs', uid: 'uid-1', finalizers: [FINALIZER], ...meta },
    spec: { image: 'weir:1', job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2 } },
    ...(status ? { status } : {}),
  };
  return kube.put(SD_PATH, sd) as unknown as StreamDeployment;
}

const configMap = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'jobs' }, data });
const tasks = (running: number, scheduled = 0): TaskCounts => ({ total: running + scheduled, created: 0, scheduled, deploying: 0, running, finished: 0, canceling: 0, canceled: 0, failed: 0, reconciling: 0, initializing: 0 });

describe('performActions', () => {
  it('performs the actions in order, each write on the resourceVersion the previous one returned', async () => {
    const kube = new InMemoryKube();
    const sd = storeSd(kube, { finalizers: [] });
    const existing = kube.put(`${CM_COLLECTION}/old`, configMap('old', { a: '1' }));
    const events = new InMemoryEvents();
    const jm = new InMemoryJobManager();
    const plan: ReconcilePlan = [
      { type: 'addFinalizer' },
      { type: 'recordTarget', status: { lifecycleState: 'UPGRADING' } },
      { type: 'createChild', object: configMap('new', { b: '2' }) },
      { type: 'replaceChild', object: { ...configMap('old', { a: '3' }), metadata: { ...existing.metadata } } },
      { type: 'cancelJob', jobId: JOB_ID, bestEffort: false },
      { type: 'recordEvent', event: { type: 'Normal', reason: 'Submit', message: 'Deploying' } },
      { type: 'writeStatus', status: { lifecycleState: 'DEPLOYED' } },
      { type: 'requeueAfter', ms: 500 },
    ];
    const result = await performActions(sd, plan, { kube, events, jobManager: jm });
    assert.deepEqual(kube.writes, [`PATCH ${SD_PATH}`, `PUT ${SD_PATH}/status`, `POST ${CM_COLLECTION}`, `PUT ${CM_COLLECTION}/old`, `PUT ${SD_PATH}/status`]);
    assert.deepEqual(jm.cancelled, [JOB_ID]);
    assert.deepEqual(events.recorded.map((e) => e.reason), ['Submit']);
    const stored = (await kube.get(SD_PATH))!;
    assert.deepEqual(stored.metadata.finalizers, [FINALIZER]);
    assert.deepEqual(stored.status, { lifecycleState: 'DEPLOYED' });
    assert.deepEqual((await kube.get(`${CM_COLLECTION}/old`))!.data, { a: '3' });
    assert.deepEqual((await kube.get(`${CM_COLLECTION}/new`))!.data, { b: '2' });
    assert.equal(result.requeueAfterMs, 500);
    assert.equal(result.released, false);
    assert.equal(result.sd.metadata.resourceVersion, stored.metadata.resourceVersion);
  });

  it('a best-effort cancel that fails is logged and the plan goes on; a required one fails the plan there', async () => {
    const kube = new InMemoryKube();
    const jm = new InMemoryJobManager();
    jm.unreachable = new WeirError('JOBMANAGER_UNREACHABLE', 'cannot reach the JobManager at http://fraud-rest.jobs.svc:8081: connection refused', true);
    const logs: string[] = [];
    const plan = (bestEffort: boolean): ReconcilePlan => [{ type: 'cancelJob', jobId: JOB_ID, bestEffort }, { type: 'writeStatus', status: { lifecycleState: 'DELETING' } }, { type: 'removeFinalizer' }];
    const released = await performActions(storeSd(kube), plan(true), { kube, events: new InMemoryEvents(), jobManager: jm, log: (l) => logs.push(l) });
    assert.equal(released.released, true);
    assert.deepEqual(logs, [`cancel of job ${JOB_ID} in jobs/fraud failed: cannot reach the JobManager at http://fraud-rest.jobs.svc:8081: connection refused`]);
    assert.deepEqual((await kube.get(SD_PATH))!.metadata.finalizers, []);

    const again = new InMemoryKube();
    await assert.rejects(performActions(storeSd(again), plan(false), { kube: again, events: new InMemoryEvents(), jobManager: jm }), { code: 'JOBMANAGER_UNREACHABLE' });
    assert.deepEqual(again.writes, [], 'nothing after the failed cancel');
  });

  it("deletes the JobManager, then exactly the cluster's HA ConfigMaps (by label), nobody else's", async () => {
    const kube = new InMemoryKube();
    const ha = (name: string, clusterId: string): KubeObject => ({ ...configMap(name, {}), metadata: { name, namespace: 'jobs', labels: { 'weir.dev/cluster-id': clusterId, 'weir.dev/configmap-type': 'high-availability' } } });
    for (const cm of [ha('fraud-cluster-config-map', 'fraud'), ha(`fraud-${JOB_ID}-config-map`, 'fraud'), ha('other-cluster-config-map', 'other'), configMap('fraud-config', {})]) kube.put(`${CM_COLLECTION}/${cm.metadata.name}`, cm);
    const jmPath = resourcePath('apps/v1', 'Deployment', 'jobs', 'fraud-jobmanager');
    const jobManager: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fraud-jobmanager', namespace: 'jobs' } };
    kube.put(jmPath, jobManager);
    await performActions(storeSd(kube), [{ type: 'deleteChild', object: jobManager }, { type: 'deleteHaConfigMaps', clusterId: 'fraud' }], { kube, events: new InMemoryEvents(), jobManager: new InMemoryJobManager() });
    assert.deepEqual(kube.writes, [`DELETE ${jmPath}`, `DELETE ${CM_COLLECTION}/fraud-cluster-config-map`, `DELETE ${CM_COLLECTION}/fraud-${JOB_ID}-config-map`]);
    assert.deepEqual((await kube.list(CM_COLLECTION)).items.map((o) => o.metadata.name).sort(), ['fraud-config', 'other-cluster-config-map']);
  });

  it('an Event the API refuses is logged and the plan goes on: deleting in a terminating namespace still releases the finalizer', async () => {
    const kube = new InMemoryKube();
    const logs: string[] = [];
    const refusing = {
      record: async () => {
        throw new KubeApiError(403, 'Forbidden', 'POST', '/api/v1/namespaces/jobs/events', 'unable to create new content in namespace jobs because it is being terminated');
      },
    };
    const plan: ReconcilePlan = [
      { type: 'recordEvent', event: { type: 'Normal', reason: 'Deleting', message: 'Deleting the job and its cluster' } },
      { type: 'writeStatus', status: { lifecycleState: 'DELETING' } },
      { type: 'removeFinalizer' },
    ];
    const result = await performActions(storeSd(kube, { deletionTimestamp: '2026-01-01T00:00:00Z' }), plan, { kube, events: refusing, jobManager: new InMemoryJobManager(), log: (l) => logs.push(l) });
    assert.equal(result.released, true);
    assert.deepEqual((await kube.get(SD_PATH))!.metadata.finalizers, []);
    assert.deepEqual(logs, ['could not record the Deleting event for jobs/fraud: POST /api/v1/namespaces/jobs/events: HTTP 403 Forbidden: unable to create new content in namespace jobs because it is being terminated']);
  });

  it('stops before the next action once the guard throws (a replica that lost its lease)', async () => {
    const kube = new InMemoryKube();
    const abort = new AbortController();
    const events = new InMemoryEvents();
    const plan: ReconcilePlan = [
      { type: 'recordTarget', status: { lifecycleState: 'UPGRADING' } },
      { type: 'createChild', object: configMap('one', {}) },
      { type: 'createChild', object: configMap('two', {}) },
      { type: 'recordEvent', event: { type: 'Normal', reason: 'Submit', message: 'Deploying' } },
    ];
    let performed = 0;
    const guard = () => {
      if (performed++ === 2) abort.abort(new WeirError('CONTROLLER_STOPPED', 'the controller stopped', false));
      abort.signal.throwIfAborted();
    };
    await assert.rejects(performActions(storeSd(kube), plan, { kube, events, jobManager: new InMemoryJobManager(), guard }), { code: 'CONTROLLER_STOPPED' });
    assert.deepEqual(kube.writes, [`PUT ${SD_PATH}/status`, `POST ${CM_COLLECTION}`]);
    assert.deepEqual(events.recorded, []);
  });

  it('a write on an outdated resourceVersion fails with a conflict instead of overwriting', async () => {
    const kube = new InMemoryKube();
    const sd = storeSd(kube);
    kube.put(SD_PATH, { ...(sd as unknown as KubeObject), metadata: { ...sd.metadata, labels: { changed: 'elsewhere' } } });
    await assert.rejects(performActions(sd, [{ type: 'writeStatus', status: { lifecycleState: 'STABLE' } }], { kube, events: new InMemoryEvents(), jobManager: new InMemoryJobManager() }), { code: 'KUBE_CONFLICT' });
    assert.equal((await kube.get(SD_PATH))!.status, undefined);
  });
});

/** Marks the stored Deployments rolled out, as the deployment controller would once their pods are ready. */
async function rollOut(kube: InMemoryKube): Promise<void> {
  for (const [path, o] of kube.objects) {
    if (o.kind !== 'Deployment') continue;
    const replicas = (o.spec as { replicas: number }).replicas;
    kube.objects.set(path, { ...o, status: { observedGeneration: o.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas } });
  }
}

describe('PlanExecutor', () => {
  it('converges a new StreamDeployment to STABLE without servers, asking the JobManager only once its pod is ready', async () => {
    const kube = new InMemoryKube();
    const events = new InMemoryEvents();
    const jm = new InMemoryJobManager();
    const asked: string[] = [];
    const executor = new PlanExecutor(kube, events, { jobManagerApi: (name, namespace) => (asked.push(`${namespace}/${name}`), jm), timing: TIMING, clock: () => new Date('2026-11-23T10:00:00Z') });
    storeSd(kube, { finalizers: [] });

    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: undefined, lifecycleState: 'DEPLOYED' });
    assert.equal(jm.asked, 0, 'no JobManager pod is ready yet');
    assert.equal([...kube.objects.values()].filter((o) => o.kind === 'Deployment').length, 2);

    await rollOut(kube);
    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: 1000, lifecycleState: 'DEPLOYED' }, 'no job submitted yet');

    jm.job = { id: JOB_ID, name: 'fraud detection', state: 'RUNNING', startTime: 1_700_000_000_000, tasks: tasks(1, 1) };
    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: 1000, lifecycleState: 'DEPLOYED' }, 'one task still waits for a slot');

    jm.job = { ...jm.job, tasks: tasks(2) };
    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: 10_000, lifecycleState: 'STABLE' });
    assert.deepEqual(events.recorded.map((e) => e.reason), ['Submit', 'JobStatusChanged']);
    assert.deepEqual(asked, ['jobs/fraud', 'jobs/fraud', 'jobs/fraud', 'jobs/fraud']);

    const writes = kube.writes.length;
    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: 10_000, lifecycleState: 'STABLE' });
    assert.equal(kube.writes.length, writes, 'a pass over an unchanged world writes nothing');
  });

  it('a failed write becomes an Error event with its code and fails the pass; a conflict records no event; the deployment is announced once', async () => {
    const kube = new InMemoryKube();
    const events = new InMemoryEvents();
    const executor = new PlanExecutor(kube, events, { jobManagerApi: () => new InMemoryJobManager(), timing: TIMING });
    storeSd(kube);
    // The first child of a new deployment's plan is its ServiceAccount, after the target and its Submit event.
    const accounts = resourcePath('v1', 'ServiceAccount', 'jobs');
    kube.failNext('POST', new KubeApiError(422, 'Invalid', 'POST', accounts, 'metadata.name: Invalid value'));
    await assert.rejects(executor.reconcile('jobs', 'fraud'), { code: 'KUBE_API_ERROR', retriable: false });
    const submit = { type: 'Normal', reason: 'Submit', message: 'Deploying /opt/weir/job/fraud.ts with parallelism 2' };
    assert.deepEqual(events.recorded, [submit, { type: 'Warning', reason: 'Error', message: `[KUBE_API_ERROR] POST ${accounts}: HTTP 422 Invalid: metadata.name: Invalid value` }]);

    kube.failNext('POST', new KubeApiError(409, 'AlreadyExists', 'POST', accounts, 'fraud-weir already exists'));
    await assert.rejects(executor.reconcile('jobs', 'fraud'), { code: 'KUBE_CONFLICT' });
    assert.equal(events.recorded.length, 2);

    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: undefined, lifecycleState: 'DEPLOYED' });
    assert.deepEqual(events.recorded.filter((e) => e.reason === 'Submit'), [submit], 'the target recorded by the first pass was announced by it, not again');
  });

  it('a conflict after the upgrade was recorded: its events were recorded with it, once, and the retry does not repeat them', async () => {
    const kube = new InMemoryKube();
    const events = new InMemoryEvents();
    const jm = new InMemoryJobManager();
    const executor = new PlanExecutor(kube, events, { jobManagerApi: () => jm, timing: TIMING });
    const sd = storeSd(kube, { finalizers: [] });
    const spec = { ...sd.spec, configuration: { 'high-availability.type': 'kubernetes', 'state.checkpoints.dir': 's3://weir/checkpoints', 'state.savepoints.dir': 's3://weir/savepoints' }, job: { ...sd.spec.job, upgradeMode: 'savepoint' as const } };
    kube.put(SD_PATH, { ...sd, spec });
    await executor.reconcile('jobs', 'fraud');
    await rollOut(kube);
    kube.put(`${CM_COLLECTION}/fraud-${JOB_ID}-config-map`, configMap(`fraud-${JOB_ID}-config-map`, { 'checkpointID-0000000000000000007': '/ha/chk-7' }));
    // The JobManager is gone (killed mid-upgrade): no savepoint can be taken, the upgrade falls back to last-state.
    jm.unreachable = new WeirError('JOBMANAGER_UNREACHABLE', 'cannot reach the JobManager: connection refused', true);
    const stored = (await kube.get(SD_PATH))!;
    kube.put(SD_PATH, { ...stored, metadata: { ...stored.metadata, generation: 2 }, spec: { ...spec, job: { ...spec.job, args: ['--rate', '10'] } } });
    const before = events.recorded.length;
    // The JobManager Deployment changed since it was observed: the pass ends in a conflict after the target was recorded.
    const jobManagerPath = resourcePath('apps/v1', 'Deployment', 'jobs', 'fraud-jobmanager');
    kube.failNext('PUT', new KubeApiError(409, 'Conflict', 'PUT', jobManagerPath, 'the object has been modified'), jobManagerPath);
    await assert.rejects(executor.reconcile('jobs', 'fraud'), { code: 'KUBE_CONFLICT' });
    const announced = [
      { type: 'Warning', reason: 'LastStateFallback', message: 'The job is not reachable, so no savepoint can be taken: upgrading with last-state from the latest checkpoint instead' },
      { type: 'Normal', reason: 'UpgradeStarted', message: 'Upgrading with upgradeMode last-state from the latest checkpoint (HA metadata): spec.job.args (UPGRADE)' },
    ];
    assert.deepEqual(events.recorded.slice(before), announced);
    assert.match((kube.objects.get(SD_PATH) as unknown as StreamDeployment).status?.reconciliation?.lastReconciledSpec ?? '', /"args":\["--rate","10"\]/, 'the upgrade is durable');

    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), { requeueAfterMs: 1000, lifecycleState: 'DEPLOYED' });
    assert.deepEqual(events.recorded.slice(before), announced, 'the retry announces nothing again');
    assert.match(JSON.stringify((await kube.get(jobManagerPath))!.spec), /"--rate","10"/, 'the retry replaced the JobManager');
  });

  it('a StreamDeployment that is gone: nothing to do', async () => {
    const executor = new PlanExecutor(new InMemoryKube(), new InMemoryEvents(), { jobManagerApi: () => new InMemoryJobManager() });
    assert.deepEqual(await executor.reconcile('jobs', 'fraud'), {});
  });
});

describe('observe and the snapshot actions', () => {
  it('asks for the outcome of the trigger status holds, and reads HA metadata from the job ConfigMaps', async () => {
    const kube = new InMemoryKube();
    const upgrade = { mode: 'savepoint' as const, step: 'SAVEPOINTING' as const, jobId: JOB_ID, triggerId: 'c'.repeat(32) };
    const sd = storeSd(kube, {}, { reconciliation: { upgrade } });
    const withHa = { ...sd, spec: { ...sd.spec, configuration: { 'high-availability.type': 'kubernetes' } } };
    kube.put(`${CM_COLLECTION}/fraud-cluster-config-map`, configMap('fraud-cluster-config-map', {}));
    kube.put(`${CM_COLLECTION}/fraud-${JOB_ID}-config-map`, configMap(`fraud-${JOB_ID}-config-map`, { counter: '8', 'checkpointID-0000000000000000007': '/ha/chk-7' }));
    kube.put(`${CM_COLLECTION}/other-${JOB_ID}-config-map`, configMap(`other-${JOB_ID}-config-map`, { 'checkpointID-0000000000000000001': '/ha/x' }));
    const jmDeployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fraud-jobmanager', namespace: 'jobs' }, status: { readyReplicas: 1 } };
    kube.put(resourcePath('apps/v1', 'Deployment', 'jobs', 'fraud-jobmanager'), jmDeployment);
    const jm = new InMemoryJobManager();
    jm.job = { id: JOB_ID, name: 'fraud', state: 'RUNNING', startTime: 1, tasks: tasks(2) };
    jm.outcomes.set('c'.repeat(32), { status: 'COMPLETED', location: '/sp/1' });
    const facts = await observe(kube, jm, withHa, new Date(0));
    assert.deepEqual(facts.snapshot, { status: 'COMPLETED', location: '/sp/1' });
    assert.deepEqual(facts.ha, { configMaps: [`fraud-${JOB_ID}-config-map`], hasCheckpoint: true });
    // Without HA configured, ConfigMaps are not read at all.
    assert.equal((await observe(kube, jm, sd, new Date(0))).ha, undefined);
  });

  it('triggers go to the JobManager under the given id; HA ConfigMaps are deleted; a disposal failure is logged, not fatal', async () => {
    const kube = new InMemoryKube();
    const sd = storeSd(kube);
    const name = `fraud-${JOB_ID}-config-map`;
    kube.put(`${CM_COLLECTION}/${name}`, configMap(name, {}));
    const jm = new InMemoryJobManager();
    const logged: string[] = [];
    const disposed: string[] = [];
    const plan: ReconcilePlan = [
      { type: 'triggerSavepoint', jobId: JOB_ID, triggerId: 'd'.repeat(32), then: 'stop' },
      { type: 'triggerCheckpoint', jobId: JOB_ID, triggerId: 'e'.repeat(32) },
      { type: 'deleteHaMetadata', configMaps: [name] },
      { type: 'disposeSavepoint', location: '/sp/old' },
      { type: 'disposeSavepoint', location: 's3://b/sp' },
    ];
    const disposeSavepoint = async (location: string) => {
      if (location.startsWith('s3://')) throw new WeirError('STORAGE_BUCKET_NOT_FOUND', 'no bucket b', false);
      disposed.push(location);
    };
    await performActions(sd, plan, { kube, events: new InMemoryEvents(), jobManager: jm, disposeSavepoint, log: (l) => logged.push(l) });
    assert.deepEqual(jm.triggers, [`savepoint:${JOB_ID}:${'d'.repeat(32)}:stop`, `checkpoint:${JOB_ID}:${'e'.repeat(32)}`]);
    assert.equal(await kube.get(`${CM_COLLECTION}/${name}`), undefined);
    assert.deepEqual(disposed, ['/sp/old']);
    assert.deepEqual(logged, ['could not dispose of savepoint s3://b/sp of jobs/fraud: no bucket b']);
  });
});

describe('PlanExecutor with a metrics-only autoscaler', () => {
  it('collects each STABLE pass, records the decision in status.autoscaler, a ScalingReport Event and the metrics; never rescales', async () => {
    const kube = new InMemoryKube();
    const events = new InMemoryEvents();
    let now = new Date('2026-11-23T10:00:00Z');
    const jm = Object.assign(new InMemoryJobManager(), {
      vertexMetrics: async (): Promise<ObservedVertex[]> => [
        { id: 'v1', name: 'Source: orders', parallelism: 2, maxParallelism: 128, keyed: false, inputs: [], sample: { at: now.getTime(), recordsInPerSecond: 1000, recordsOutPerSecond: 1000, busyTimeMsPerSecond: 1000, backPressuredTimeMsPerSecond: 0 } },
      ],
    });
    const registry = new Registry();
    const executor = new PlanExecutor(kube, events, { jobManagerApi: () => jm, timing: TIMING, clock: () => now, autoscalerMetrics: new AutoscalerMetrics(registry) });
    const sd = storeSd(kube, { finalizers: [] });
    const autoscaler = { enabled: true, metricsOnly: true, targetUtilization: 0.5, targetUtilizationBoundary: 0.2, restartTime: '0s', stabilizationInterval: '1m' };
    kube.put(SD_PATH, { ...sd, spec: { ...sd.spec, autoscaler } });
    await executor.reconcile('jobs', 'fraud');
    await rollOut(kube);
    jm.job = { id: JOB_ID, name: 'fraud detection', state: 'RUNNING', startTime: 1_700_000_000_000, tasks: tasks(2) };
    // Stabilizing after the spec was first recorded, then two samples: 1000/s on 2 fully busy -> 1000 / 250 = 4.
    for (let i = 0; i < 6; i++) {
      now = new Date(now.getTime() + 15_000);
      await executor.reconcile('jobs', 'fraud');
    }
    const status = (kube.objects.get(SD_PATH) as unknown as StreamDeployment).status!;
    assert.equal(status.lifecycleState, 'STABLE');
    assert.deepEqual(status.autoscaler?.vertices?.map((v) => [v.vertexId, v.current, v.recommended, v.reason]), [['v1', 2, 4, 'ScaleUp']]);
    assert.deepEqual(events.recorded.filter((e) => e.reason === 'ScalingReport').length, 1);
    assert.match(await registry.metrics(), /weir_operator_autoscaler_recommended_parallelism\{namespace="jobs",name="fraud",vertex_id="v1",vertex_name="Source: orders"\} 4/);
    assert.equal(status.conditions?.find((c) => c.type === 'Degraded')?.status, 'False', 'metrics-only is supported');
    // Never acted on: the Deployments still run the spec's parallelism.
    assert.match(JSON.stringify([...kube.objects.values()].find((o) => o.metadata.name === 'fraud-jobmanager')), /"--parallelism","2"/);
  });
});
