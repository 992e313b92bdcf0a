/**
 * The CRD in crds/ (and the Helm chart) is generated from the TypeScript schema; the API
 * server enforces it: violations are rejected with each field named, defaults are applied,
 * and the scale subresource moves the TaskManager replicas.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CRD_PATHS, renderCrdYaml } from '../../src/kube-operator/crd/render-crd.ts';
import { startKubeServer } from '../support/kube/index.ts';
import type { KubeServer } from '../support/kube/index.ts';
import { KubeClient, KubeApiError } from '../../src/kube-operator/kube/kube-client.ts';
import { resourcePath } from '../../src/kube-operator/kube/kube-object.ts';

const CRD_FILE = CRD_PATHS[0];
let server: KubeServer;
let kube: KubeClient;
const collection = resourcePath('weir.dev/v1alpha1', 'StreamDeployment', 'default');

before(async () => {
  server = await startKubeServer({ load: [CRD_FILE], controllers: false });
  kube = new KubeClient(server.kubeconfig);
});
after(() => server.close());

test('crds/ and the Helm chart hold exactly what "npm run crds" generates', () => {
  const expected = renderCrdYaml();
  for (const path of CRD_PATHS) assert.equal(readFileSync(path, 'utf8'), expected, `${path} is stale: run "npm run crds"`);
});

test('a StreamDeployment violating the schema is rejected with every violation', async () => {
  const bad = { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'bad' }, spec: { image: 'weir:1', job: { parallelism: 0, upgradeMode: 'hot-swap', state: 'paused' }, taskManager: { replicas: -1 } } };
  const err = await kube.create(collection, bad).then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof KubeApiError);
  assert.equal(err.status, 422);
  for (const fragment of [
    'spec.job.entry: Required value',
    'spec.job.parallelism: Invalid value: 0: spec.job.parallelism in body should be greater than or equal to 1',
    'spec.job.upgradeMode: Unsupported value: "hot-swap": supported values: "stateless", "last-state", "savepoint"',
    'spec.job.state: Unsupported value: "paused": supported values: "running", "suspended"',
    'spec.taskManager.replicas: Invalid value: -1: spec.taskManager.replicas in body should be greater than or equal to 0',
  ]) {
    assert.ok(err.message.includes(fragment), `missing "${fragment}" in: ${err.message}`);
  }
});

test('defaults are applied and the scale subresource sets the TaskManager replicas', async () => {
  const created = await kube.create(collection, { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'ok' }, spec: { image: 'weir:1', job: { entry: '/opt/weir/job/j.ts' } } });
  const spec = created.spec as { imagePullPolicy: string; job: Record<string, unknown>; jobManager: Record<string, unknown>; taskManager: Record<string, unknown> };
  assert.equal(spec.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(spec.job, { entry: '/opt/weir/job/j.ts', parallelism: 1, state: 'running', upgradeMode: 'stateless' });
  assert.deepEqual(spec.jobManager, { replicas: 1 });
  assert.deepEqual(spec.taskManager, {});
  await kube.patch(`${collection}/ok/scale`, { spec: { replicas: 3 } });
  const scaled = await kube.get(`${collection}/ok`);
  assert.equal((scaled!.spec as { taskManager: { replicas: number } }).taskManager.replicas, 3);
});

test('spec.autoscaler: Flink-named settings are kept as given; out-of-range ones are rejected by name', async () => {
  const autoscaler = { enabled: true, metricsOnly: true, minParallelism: 2, maxParallelism: 16, targetUtilization: 0.6, targetUtilizationBoundary: 0.2, catchUpDuration: '10 min', scaleDownDelay: '30m', scaleDownMaxFactor: 0.5, restartTimeTracking: true };
  const created = await kube.create(collection, { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'scaled' }, spec: { image: 'weir:1', job: { entry: '/opt/weir/job/j.ts' }, autoscaler } });
  assert.deepEqual((created.spec as { autoscaler: unknown }).autoscaler, autoscaler);
  const err = await kube
    .create(collection, { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'bad-scaler' }, spec: { image: 'weir:1', job: { entry: '/opt/weir/job/j.ts' }, autoscaler: { targetUtilization: 1.5, metricsWindow: 'soon', minParallelism: 0 } } })
    .then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
  assert.ok(err instanceof KubeApiError);
  assert.equal(err.status, 422);
  for (const field of ['spec.autoscaler.targetUtilization', 'spec.autoscaler.metricsWindow', 'spec.autoscaler.minParallelism']) assert.match(err.message, new RegExp(field.replace(/\./g, '\\.')));
});
