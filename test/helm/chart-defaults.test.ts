// The operator chart as `helm install` with no values would create it, checked with the real helm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runHelm } from '../support/helm/helm-binary.ts';
import { CHART, NAMESPACE, inventory, only, render } from './render.ts';
import { EVENT_RULES, OPERATOR_SUBJECT, WATCH_RULES } from './expected-rbac.ts';

test('helm lint --strict passes, with default values and with a namespace list', async () => {
  for (const sets of [[], ['--set', 'watchNamespaces={a,b}', '--set', 'replicas=2']]) {
    const { code, stdout, stderr } = await runHelm(['lint', '--strict', CHART, ...sets]);
    assert.equal(code, 0, `helm lint failed:\n${stdout}${stderr}`);
    assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

test('the chart appVersion is the package version, so the default image tag matches the release', () => {
  const chart = parse(readFileSync(`${CHART}/Chart.yaml`, 'utf8')) as { apiVersion: string; appVersion: string };
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.appVersion, pkg.version);
});

test('default values render one operator watching every namespace, with a ClusterRole', async () => {
  const manifests = await render();
  assert.deepEqual(inventory(manifests), [
    'ClusterRole /weir-weir-operator',
    'ClusterRoleBinding /weir-weir-operator',
    `Deployment ${NAMESPACE}/weir-weir-operator`,
    `Role ${NAMESPACE}/weir-weir-operator-self`,
    `RoleBinding ${NAMESPACE}/weir-weir-operator-self`,
    `Service ${NAMESPACE}/weir-weir-operator-metrics`,
    `ServiceAccount ${NAMESPACE}/weir-weir-operator`,
  ]);

  const clusterRole = only(manifests, 'ClusterRole');
  assert.deepEqual(clusterRole.rules, WATCH_RULES);
  const clusterBinding = only(manifests, 'ClusterRoleBinding');
  assert.deepEqual(clusterBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'weir-weir-operator' });
  assert.deepEqual(clusterBinding.subjects, OPERATOR_SUBJECT);

  const self = only(manifests, 'Role', NAMESPACE);
  assert.deepEqual(self.rules, [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }, ...EVENT_RULES]);
  assert.deepEqual(only(manifests, 'RoleBinding', NAMESPACE).subjects, OPERATOR_SUBJECT);
});

test('default values: the operator Deployment runs `weir operator` with leader election, probes and a locked-down container', async () => {
  const deployment = only(await render(), 'Deployment');
  assert.equal(deployment.spec.replicas, 1);
  assert.deepEqual(deployment.spec.strategy, { type: 'RollingUpdate' });
  assert.deepEqual(deployment.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'weir-operator', 'app.kubernetes.io/instance': 'weir' });
  const pod = deployment.spec.template.spec;
  assert.equal(pod.serviceAccountName, 'weir-weir-operator');
  assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
  assert.deepEqual(pod.volumes, [{ name: 'scratch', emptyDir: {} }]);
  assert.equal(pod.containers.length, 1);
  const [container] = pod.containers;
  assert.equal(container.image, 'weir-operator:0.1.0');
  assert.equal(container.imagePullPolicy, 'IfNotPresent');
  assert.equal(container.command, undefined, 'the image entry point is weir');
  assert.deepEqual(container.args, [
    'operator',
    '--leader-elect=true',
    '--lease-name=weir-weir-operator',
    `--lease-namespace=${NAMESPACE}`,
    '--lease-duration=15s',
    '--renew-deadline=10s',
    '--retry-period=2s',
    '--http-port=8080',
  ]);
  assert.deepEqual(container.env, [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'TMPDIR', value: '/opt/weir/scratch' },
  ]);
  assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  assert.deepEqual(container.livenessProbe, { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10 });
  assert.deepEqual(container.readinessProbe, { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 });
  assert.deepEqual(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  });
  assert.deepEqual(container.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  assert.deepEqual(container.volumeMounts, [{ name: 'scratch', mountPath: '/opt/weir/scratch' }]);
});

test('default values: the metrics Service selects the operator pods and targets its HTTP port', async () => {
  const service = only(await render(), 'Service');
  assert.equal(service.spec.type, 'ClusterIP');
  assert.deepEqual(service.spec.selector, { 'app.kubernetes.io/name': 'weir-operator', 'app.kubernetes.io/instance': 'weir' });
  assert.deepEqual(service.spec.ports, [{ name: 'http-metrics', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
});

test('the chart ships the StreamDeployment CRD, identical to crds/', async () => {
  const inChart = readFileSync(`${CHART}/crds/streamdeployments.weir.dev.yaml`, 'utf8');
  assert.equal(inChart, readFileSync('crds/streamdeployments.weir.dev.yaml', 'utf8'));
  const crd = only(await render([], ['--include-crds']), 'CustomResourceDefinition');
  assert.equal(crd.metadata.name, 'streamdeployments.weir.dev');
  assert.equal(crd.spec.group, 'weir.dev');
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.names.shortNames, ['sdep']);
  assert.equal(crd.spec.names.kind, 'StreamDeployment');
  assert.deepEqual(
    crd.spec.versions.map((v: { name: string; subresources: Record<string, unknown> }) => [v.name, Object.keys(v.subresources).sort()]),
    [['v1alpha1', ['scale', 'status']]],
  );
});
