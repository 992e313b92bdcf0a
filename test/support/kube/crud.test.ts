import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { apiError, CRD_FIXTURE } from './test-helpers.ts';

describe('kube test server: CRUD', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  let objects: KubernetesObjectApi;
  before(async () => {
    server = await startKubeServer({ load: [CRD_FIXTURE] });
    core = server.kubeconfig.makeApiClient(CoreV1Api);
    objects = KubernetesObjectApi.makeApiClient(server.kubeconfig);
  });
  after(() => server.close());

  it('creates, reads, updates and deletes a ConfigMap with server-owned metadata', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' }, data: { k: 'v' } } });
    assert.equal(created.metadata?.name, 'a');
    assert.equal(created.metadata?.namespace, 'default');
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    const rv1 = Number(created.metadata?.resourceVersion);
    const read = await core.readNamespacedConfigMap({ name: 'a', namespace: 'default' });
    assert.deepEqual(read.data, { k: 'v' });
    read.data = { k: 'w' };
    const updated = await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'default', body: read });
    assert.equal(Number(updated.metadata?.resourceVersion) > rv1, true);
    assert.deepEqual(updated.data, { k: 'w' });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    // Every namespace also holds the cluster CA bundle, as on a real cluster.
    assert.deepEqual(list.items.map((c) => c.metadata?.name), ['a', 'kube-root-ca.crt']);
    assert.equal(list.metadata?.resourceVersion, updated.metadata?.resourceVersion);
    const deleted = await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });
    assert.equal(deleted.status, 'Success');
    assert.deepEqual({ ...deleted.details }, { name: 'a', kind: 'configmaps', uid: created.metadata?.uid });
    const missing = await apiError(core.readNamespacedConfigMap({ name: 'a', namespace: 'default' }));
    assert.equal(missing.code, 404);
    assert.deepEqual(missing.status, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "a" not found',
      reason: 'NotFound', details: { name: 'a', kind: 'configmaps' }, code: 404,
    });
  });

  it('validates names per kind, label syntax and immutable ConfigMaps like the real server', async () => {
    const svc = await apiError(core.createNamespacedService({ namespace: 'default', body: { metadata: { name: '1st' }, spec: { ports: [{ port: 80 }] } } }));
    assert.equal(svc.code, 422);
    assert.equal(svc.status.message, `Service "1st" is invalid: metadata.name: Invalid value: "1st": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
    const cm = await apiError(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Upper' } } }));
    assert.equal(cm.status.message, `ConfigMap "Upper" is invalid: metadata.name: Invalid value: "Upper": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
    const long = 'x'.repeat(64);
    const label = await apiError(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'lbl', labels: { app: long } } } }));
    assert.equal(label.status.message, `ConfigMap "lbl" is invalid: metadata.labels: Invalid value: "${long}": must be no more than 63 characters`);
    const port = await apiError(core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'ports' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ name: 'taskmanager-data', containerPort: 6121 }] }] } },
    }));
    assert.equal(port.status.message, 'Pod "ports" is invalid: spec.containers[0].ports[0].name: Invalid value: "taskmanager-data": must be no more than 15 characters');
    const apps = server.kubeconfig.makeApiClient(AppsV1Api);
    const mismatch = await apiError(apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
    }));
    assert.equal(mismatch.status.message, 'Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`');
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } } });
    const frozen = await apiError(core.patchNamespacedConfigMap(
      { name: 'frozen', namespace: 'default', body: { data: { a: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ));
    assert.equal(frozen.status.message, 'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });

  it('drops unknown fields of built-in kinds with a warning, or rejects them when strict', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typo', labelz: { a: 'b' } }, data: { a: '1' }, dataa: {} });
    const post = (query: string): Promise<Response> => fetch(`${server.url}/api/v1/namespaces/default/configmaps${query}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    });
    const strict = await post('?fieldValidation=Strict');
    assert.equal(strict.status, 400);
    assert.equal(((await strict.json()) as { message: string }).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.labelz", unknown field "dataa"');
    const warned = await post('');
    assert.equal(warned.status, 201);
    assert.equal(warned.headers.get('warning'), '299 - "unknown field \\"metadata.labelz\\"", 299 - "unknown field \\"dataa\\""');
    const stored = await core.readNamespacedConfigMap({ name: 'typo', namespace: 'default' });
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(stored)) as object).sort(), ['apiVersion', 'data', 'kind', 'metadata']);
  });

  it('rejects a write with a stale resourceVersion with 409 Conflict', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stale' }, data: { n: '1' } } });
    await core.replaceNamespacedConfigMap({ name: 'stale', namespace: 'default', body: { ...first, data: { n: '2' } } });
    const err = await apiError(core.replaceNamespacedConfigMap({ name: 'stale', namespace: 'default', body: { ...first, data: { n: '3' } } }));
    assert.equal(err.code, 409);
    assert.equal(err.status.reason, 'Conflict');
    assert.equal(err.status.message, 'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(err.status.details, { name: 'stale', kind: 'configmaps' });
    const dup = await apiError(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stale' } } }));
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, 'AlreadyExists');
    assert.equal(dup.status.message, 'configmaps "stale" already exists');
  });

  it('applies merge, strategic and JSON patches', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'p', labels: { a: '1' } }, data: { x: '1', y: '2' } } });
    const merged = await core.patchNamespacedConfigMap(
      { name: 'p', namespace: 'default', body: { data: { x: null, z: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { y: '2', z: '3' });
    const jp = await core.patchNamespacedConfigMap({ name: 'p', namespace: 'default', body: [{ op: 'replace', path: '/data/y', value: '9' }] });
    assert.deepEqual(jp.data, { y: '9', z: '3' });
    const generic = (await objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'default', labels: { b: '2' } } } as KubernetesObject,
    )) as V1ConfigMap;
    assert.deepEqual(generic.metadata?.labels, { a: '1', b: '2' });
    const failed = await apiError(core.patchNamespacedConfigMap({ name: 'p', namespace: 'default', body: [{ op: 'test', path: '/data/y', value: 'no' }] }));
    assert.equal(failed.code, 422);
  });

  it('server-side applies: creates, merges, and drops what the same manager stops applying', async () => {
    const apply = (data: Record<string, string>): Promise<KubernetesObject> => objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'default' }, data } as KubernetesObject,
      undefined, undefined, 'weir-operator', true, PatchStrategy.ServerSideApply,
    );
    await apply({ a: '1', b: '2' });
    await core.patchNamespacedConfigMap(
      { name: 'ssa', namespace: 'default', body: { data: { other: 'x' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const applied = (await apply({ a: '3' })) as V1ConfigMap;
    assert.deepEqual(applied.data, { a: '3', other: 'x' });
    const applyAs = (manager: string, data: Record<string, string>, force: boolean): Promise<KubernetesObject> => objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'default' }, data } as KubernetesObject,
      undefined, undefined, manager, force, PatchStrategy.ServerSideApply,
    );
    const conflict = await apiError(applyAs('autoscaler', { a: '9' }, false));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.status.message, 'Apply failed with 1 conflict: conflict with "weir-operator" using v1: .data.a');
    assert.deepEqual(conflict.status.details, {
      name: 'ssa', kind: 'configmaps', causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "weir-operator" using v1', field: '.data.a' }],
    });
    // Forcing takes the field over; the same value from both managers is no conflict.
    assert.deepEqual(((await applyAs('autoscaler', { a: '9' }, true)) as V1ConfigMap).data, { a: '9', other: 'x' });
    await applyAs('third', { a: '9' }, false);
    assert.equal((await apiError(applyAs('weir-operator', { a: '3' }, false))).code, 409);
    const noManager = await apiError(objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'default' } } as KubernetesObject,
      undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply,
    ));
    assert.equal(noManager.code, 400);
  });

  it('resolves kinds through discovery for the generic object API, including custom resources', async () => {
    const sd = await objects.create({
      apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', metadata: { name: 'sd1', namespace: 'default' }, spec: { image: 'weir:1' },
    } as KubernetesObject);
    assert.equal(sd.kind, 'StreamDeployment');
    const listed = await objects.list('weir.dev/v1alpha1', 'StreamDeployment', 'default');
    assert.deepEqual(listed.items.map((i) => i.metadata?.name), ['sd1']);
    const err = await apiError(core.createNamespacedConfigMap({ namespace: 'nope', body: { metadata: { name: 'x' } } }));
    assert.equal(err.code, 404);
    assert.equal(err.status.message, 'namespaces "nope" not found');
  });

  it('refuses pod spec changes beyond the mutable fields, like the real pod strategy', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'pod1' }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } });
    const pod = await core.readNamespacedPod({ name: 'pod1', namespace: 'default' });
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec?.restartPolicy, 'Always');
    assert.equal(pod.spec?.terminationGracePeriodSeconds, 30);
    pod.spec!.containers[0]!.image = 'img:2';
    const updated = await core.replaceNamespacedPod({ name: 'pod1', namespace: 'default', body: pod });
    assert.equal(updated.spec?.containers[0]?.image, 'img:2');
    updated.spec!.containers[0]!.args = ['x'];
    const err = await apiError(core.replaceNamespacedPod({ name: 'pod1', namespace: 'default', body: updated }));
    assert.equal(err.code, 422);
    assert.match(String(err.status.message), /^Pod "pod1" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    // Unscheduled pods have nobody to wait for: deletion is immediate.
    await core.deleteNamespacedPod({ name: 'pod1', namespace: 'default' });
    assert.equal((await apiError(core.readNamespacedPod({ name: 'pod1', namespace: 'default' }))).code, 404);
  });

  it('filters lists by label and field selectors', async () => {
    for (const [name, tier] of [['s1', 'web'], ['s2', 'db'], ['s3', 'web']] as const) {
      await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name, labels: { tier } }, stringData: { a: 'b' } } });
    }
    const web = await core.listNamespacedSecret({ namespace: 'default', labelSelector: 'tier=web' });
    assert.deepEqual(web.items.map((s) => s.metadata?.name), ['s1', 's3']);
    const notWeb = await core.listNamespacedSecret({ namespace: 'default', labelSelector: 'tier notin (web)' });
    assert.deepEqual(notWeb.items.map((s) => s.metadata?.name), ['s2']);
    const byName = await core.listSecretForAllNamespaces({ fieldSelector: 'metadata.name=s3,metadata.namespace=default' });
    assert.deepEqual(byName.items.map((s) => s.metadata?.name), ['s3']);
    const unsupported = await apiError(core.listNamespacedSecret({ namespace: 'default', fieldSelector: 'data.a=b' }));
    assert.equal(unsupported.code, 400);
    assert.equal(unsupported.status.message, 'field label not supported: data.a');
    const page = await core.listNamespacedSecret({ namespace: 'default', limit: 2 });
    assert.equal(page.items.length, 2);
    const rest = await core.listNamespacedSecret({ namespace: 'default', limit: 2, _continue: page.metadata?._continue });
    assert.deepEqual(rest.items.map((s) => s.metadata?.name), ['s3']);
  });
});
