// The chart's manifests and the example StreamDeployment, created on the project's
// Kubernetes API test server with fieldValidation=Strict: a misspelt or misplaced field
// is a 400 there, where `helm template` alone would print it happily.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { startKubeServer } from '../support/kube/index.ts';
import type { KubeServer } from '../support/kube/index.ts';
import { NAMESPACE, render } from '../helm/render.ts';
import type { Manifest } from '../helm/render.ts';
import { validateSpec } from '../../src/kube-operator/validation/validate-spec.ts';
import type { StreamDeploymentSpec } from '../../src/kube-operator/crd/stream-deployment-schema.ts';

const PLURALS: Record<string, string> = {
  Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts',
  Service: 'services',
  Deployment: 'deployments',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  CustomResourceDefinition: 'customresourcedefinitions',
  StreamDeployment: 'streamdeployments',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};

let server: KubeServer;
before(async () => {
  // Only the API is under test here: no controllers turning the Deployment into pods.
  server = await startKubeServer({ controllers: false });
});
after(() => server.close());

function collectionPath(m: Manifest, namespace: string | undefined): string {
  const plural = PLURALS[m.kind];
  if (plural === undefined) throw new Error(`no REST path known for ${m.kind}; add it to PLURALS`);
  const base = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
}

/** POSTs `m` and returns what the server stored; fails on any error or warning. */
async function create(m: Manifest, namespace = m.metadata.namespace): Promise<Manifest> {
  const res = await fetch(`${server.url}${collectionPath(m, namespace)}?fieldValidation=Strict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(m),
  });
  const body = (await res.json()) as Manifest & { message?: string };
  assert.equal(res.status, 201, `creating ${m.kind} ${m.metadata.name}: ${res.status} ${body.message ?? ''}`);
  assert.equal(res.headers.get('warning'), null, `creating ${m.kind} ${m.metadata.name}`);
  return body;
}

function namespace(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

test('every manifest of the chart (CRD included) is accepted under strict field validation', async () => {
  await create(namespace(NAMESPACE));
  const manifests = await render([], ['--include-crds']);
  // CRDs first, as helm installs them before the templates.
  manifests.sort((a, b) => Number(b.kind === 'CustomResourceDefinition') - Number(a.kind === 'CustomResourceDefinition'));
  for (const m of manifests) await create(m);
  assert.equal(manifests.length, 8);
});

test('the namespace-scoped RBAC of watchNamespaces={a,b} is accepted too', async () => {
  for (const ns of ['a', 'b']) await create(namespace(ns));
  const rbac = (await render(['watchNamespaces={a,b}'])).filter((m) => m.metadata.namespace !== NAMESPACE);
  assert.deepEqual(rbac.map((m) => `${m.kind} ${m.metadata.namespace}`).sort(), ['Role a', 'Role b', 'RoleBinding a', 'RoleBinding b']);
  for (const m of rbac) await create(m);
});

/** Every field set in `written`, with its path, as `path=value` lines: what must survive storing. */
function leaves(written: unknown, path = ''): string[] {
  if (written === null || typeof written !== 'object') return [`${path}=${JSON.stringify(written)}`];
  return Object.entries(written).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
}

test('examples/fraud-detection.yaml is a valid claim and StreamDeployment, stored with nothing pruned', async () => {
  // Runs after the chart test above installed the CRD (node:test runs a file's tests in order).
  const docs = parseAllDocuments(readFileSync('examples/fraud-detection.yaml', 'utf8')).map((d) => d.toJS() as Manifest);
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), ['PersistentVolumeClaim/fraud-detection-state', 'StreamDeployment/fraud-detection']);
  for (const doc of docs) {
    const stored = await create(doc, 'default');
    const kept = new Set(leaves(stored.spec));
    assert.deepEqual(leaves(doc.spec).filter((l) => !kept.has(l)), [], `fields of the example's ${doc.kind} the schema dropped or changed`);
  }
  const example = docs[1]!;
  assert.equal(example.spec.job.entry, '/opt/weir/job/fraud-detection.ts');
  assert.equal(example.spec.image, 'weir-fraud-detection:0.1.0');
});

test('the example\'s checkpoints are on storage both kinds of pod share: valid in every upgrade mode, and not without its volume', () => {
  const doc = parseAllDocuments(readFileSync('examples/fraud-detection.yaml', 'utf8'))[1]!.toJS() as { spec: StreamDeploymentSpec };
  for (const upgradeMode of ['stateless', 'savepoint', 'last-state'] as const) {
    const spec = { ...doc.spec, configuration: { ...doc.spec.configuration, 'high-availability.type': 'kubernetes' }, job: { ...doc.spec.job, upgradeMode } };
    assert.deepEqual(validateSpec(spec), [], upgradeMode);
  }
  const withoutVolume = { ...doc.spec, taskManager: { ...doc.spec.taskManager, podTemplate: undefined }, job: { ...doc.spec.job, upgradeMode: 'savepoint' as const } };
  assert.deepEqual(validateSpec(withoutVolume).map((p) => p.field), ['spec.configuration["state.checkpoints.dir"]', 'spec.configuration["state.savepoints.dir"]']);
});

test('the example image puts the example job where spec.job.entry says', () => {
  const dockerfile = readFileSync('examples/fraud-detection.Dockerfile', 'utf8');
  assert.match(dockerfile, /^FROM weir-runtime:0\.1\.0$/m);
  assert.match(dockerfile, /^COPY examples\/fraud-detection\.ts \/opt\/weir\/job\/$/m);
  assert.match(readFileSync('examples/fraud-detection.ts', 'utf8'), /export default defineJob\(/);
});
