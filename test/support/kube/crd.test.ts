import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { apiError, CRD_FIXTURE } from './test-helpers.ts';

type Obj = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const sdep = { group: 'weir.dev', version: 'v1alpha1', namespace: 'default', plural: 'streamdeployments' };

describe('kube test server: custom resources', () => {
  let server: KubeServer;
  let custom: CustomObjectsApi;
  before(async () => {
    server = await startKubeServer({ load: [CRD_FIXTURE] });
    custom = server.kubeconfig.makeApiClient(CustomObjectsApi);
  });
  after(() => server.close());

  function create(name: string, spec: unknown, extra: Record<string, unknown> = {}): Promise<Obj> {
    return custom.createNamespacedCustomObject({ ...sdep, body: { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name }, spec, ...extra } }) as Promise<Obj>;
  }

  it('rejects an invalid StreamDeployment with 422 listing each violation', async () => {
    const err = await apiError(create('bad', { job: { parallelism: 0, upgradeMode: 'fast' }, taskManager: { resources: { memory: true } } }));
    assert.equal(err.code, 422);
    assert.equal(err.status.reason, 'Invalid');
    assert.equal(
      err.status.message,
      'StreamDeployment.weir.dev "bad" is invalid: [spec.image: Required value, spec.job.parallelism: Invalid value: 0: spec.job.parallelism in body should be greater than or equal to 1, spec.job.upgradeMode: Unsupported value: "fast": supported values: "stateless", "last-state", "savepoint", spec.taskManager.resources.memory: Invalid value: "boolean": spec.taskManager.resources.memory in body must be of type integer,string: "boolean"]',
    );
    assert.deepEqual(err.status.details, {
      name: 'bad', group: 'weir.dev', kind: 'StreamDeployment',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.image' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: 0: spec.job.parallelism in body should be greater than or equal to 1', field: 'spec.job.parallelism' },
        { reason: 'FieldValueNotSupported', message: 'Unsupported value: "fast": supported values: "stateless", "last-state", "savepoint"', field: 'spec.job.upgradeMode' },
        { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "boolean": spec.taskManager.resources.memory in body must be of type integer,string: "boolean"', field: 'spec.taskManager.resources.memory' },
      ],
    });
  });

  it('defaults from the schema and prunes unknown fields except where preserved', async () => {
    const sd = await create('defaults', {
      image: 'weir:1', job: { parallelism: 2 }, surprise: 1, taskManager: { replicas: 2, resources: { memory: '1Gi' }, podTemplate: { anything: { goes: 1 } } },
    });
    assert.deepEqual(sd.spec, {
      image: 'weir:1', job: { parallelism: 2, upgradeMode: 'stateless', state: 'running' },
      taskManager: { replicas: 2, resources: { memory: '1Gi' }, podTemplate: { anything: { goes: 1 } } },
    });
    assert.equal(sd.metadata.generation, 1);
  });

  it('warns about pruned unknown fields, and rejects them under fieldValidation=Strict', async () => {
    const body = { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'strict' }, spec: { image: 'weir:1', bogus: 1 } };
    const strict = await apiError(custom.createNamespacedCustomObject({ ...sdep, body, fieldValidation: 'Strict' }));
    assert.equal(strict.code, 400);
    assert.equal(strict.status.message, 'StreamDeployment in version "v1alpha1" cannot be handled as a StreamDeployment: strict decoding error: unknown field "spec.bogus"');
    const res = await fetch(`${server.url}/apis/weir.dev/v1alpha1/namespaces/default/streamdeployments`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('warning'), '299 - "unknown field \\"spec.bogus\\""');
  });

  it('keeps status and spec apart through the status subresource and bumps generation on spec changes only', async () => {
    const created = await create('st', { image: 'weir:1' }, { status: { lifecycleState: 'IGNORED' } });
    assert.equal(created.status, undefined);
    const withStatus = (await custom.replaceNamespacedCustomObjectStatus({
      ...sdep, name: 'st', body: { ...created, spec: { image: 'changed-through-status' }, status: { lifecycleState: 'DEPLOYED', observedGeneration: 1 } },
    })) as Obj;
    // Defaults apply only under objects that exist: no spec.job, no job defaults.
    assert.deepEqual(withStatus.spec, { image: 'weir:1' });
    assert.deepEqual(withStatus.status, { lifecycleState: 'DEPLOYED', observedGeneration: 1 });
    assert.equal(withStatus.metadata.generation, 1);
    const mainWrite = (await custom.replaceNamespacedCustomObject({
      ...sdep, name: 'st', body: { ...withStatus, spec: { image: 'weir:2' }, status: { lifecycleState: 'IGNORED' } },
    })) as Obj;
    assert.deepEqual(mainWrite.status, { lifecycleState: 'DEPLOYED', observedGeneration: 1 });
    assert.equal(mainWrite.metadata.generation, 2);
    const labelled = (await custom.patchNamespacedCustomObject(
      { ...sdep, name: 'st', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj;
    assert.equal(labelled.metadata.generation, 2);
    const statusPatch = (await custom.patchNamespacedCustomObjectStatus(
      { ...sdep, name: 'st', body: { status: { lifecycleState: 'STABLE' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj;
    assert.deepEqual(statusPatch.status, { lifecycleState: 'STABLE', observedGeneration: 1 });
    assert.equal(statusPatch.metadata.generation, 2);
    const dup = await apiError(custom.patchNamespacedCustomObjectStatus(
      { ...sdep, name: 'st', body: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ));
    assert.equal(dup.code, 422);
    assert.equal(dup.status.message, 'StreamDeployment.weir.dev "st" is invalid: status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}');
  });

  it('requires a resourceVersion on custom resource updates and refuses strategic merge patches', async () => {
    const created = await create('rv', { image: 'weir:1' });
    const noRv = { ...created, metadata: { ...created.metadata, resourceVersion: undefined } };
    const err = await apiError(custom.replaceNamespacedCustomObject({ ...sdep, name: 'rv', body: noRv }));
    assert.equal(err.code, 422);
    assert.equal(err.status.message, 'StreamDeployment.weir.dev "rv" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    const smp = await apiError(custom.patchNamespacedCustomObject(
      { ...sdep, name: 'rv', body: { spec: { image: 'x' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ));
    assert.equal(smp.code, 415);
    assert.equal(smp.status.reason, 'UnsupportedMediaType');
  });

  it('serves the scale subresource on the declared replica paths', async () => {
    await create('sc', { image: 'weir:1', taskManager: { replicas: 2 } });
    const scale = await custom.getNamespacedCustomObjectScale({ ...sdep, name: 'sc' }) as Obj;
    assert.deepEqual(scale.spec, { replicas: 2 });
    await custom.patchNamespacedCustomObjectScale(
      { ...sdep, name: 'sc', body: { spec: { replicas: 5 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = (await custom.getNamespacedCustomObject({ ...sdep, name: 'sc' })) as Obj;
    assert.deepEqual(after.spec?.taskManager, { replicas: 5 });
    assert.equal(after.metadata.generation, 2);
  });

  it('serves kinds of CRDs created through the API and drops their objects when the CRD goes', async () => {
    const ext = server.kubeconfig.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    const crd = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
    assert.deepEqual(crd.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True']);
    await custom.createClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, size: 3 } });
    const w = (await custom.getClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', name: 'w' })) as Obj;
    assert.equal(w.size, 3);
    await ext.deleteCustomResourceDefinition({ name: 'widgets.example.com' });
    const gone = await apiError(custom.getClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', name: 'w' }));
    assert.equal(gone.code, 404);
  });
});
