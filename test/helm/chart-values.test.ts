// The operator chart under its values: namespace lists, leader election, replicas and overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHelm } from '../support/helm/helm-binary.ts';
import { CHART, NAMESPACE, RELEASE, inventory, only, render } from './render.ts';
import { EVENT_RULES, OPERATOR_SUBJECT, WATCH_RULES } from './expected-rbac.ts';

function operatorContainer(manifests: Awaited<ReturnType<typeof render>>) {
  return only(manifests, 'Deployment').spec.template.spec.containers[0];
}

test('watchNamespaces={a,b}: a Role and RoleBinding in a and in b, no cluster-wide grant', async () => {
  const manifests = await render(['watchNamespaces={a,b}']);
  assert.deepEqual(inventory(manifests), [
    `Deployment ${NAMESPACE}/weir-weir-operator`,
    'Role a/weir-weir-operator',
    'Role b/weir-weir-operator',
    `Role ${NAMESPACE}/weir-weir-operator-self`,
    'RoleBinding a/weir-weir-operator',
    'RoleBinding b/weir-weir-operator',
    `RoleBinding ${NAMESPACE}/weir-weir-operator-self`,
    `Service ${NAMESPACE}/weir-weir-operator-metrics`,
    `ServiceAccount ${NAMESPACE}/weir-weir-operator`,
  ]);
  for (const ns of ['a', 'b']) {
    assert.deepEqual(only(manifests, 'Role', ns).rules, WATCH_RULES);
    const binding = only(manifests, 'RoleBinding', ns);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'weir-weir-operator' });
    assert.deepEqual(binding.subjects, OPERATOR_SUBJECT);
  }
  assert.deepEqual(operatorContainer(manifests).args.slice(0, 3), ['operator', '--watch-namespaces=a,b', '--leader-elect=true']);
});

test('leaderElection.enabled=false: no lease flags or lease grant, and a Recreate rollout so two operators never overlap', async () => {
  const manifests = await render(['leaderElection.enabled=false']);
  assert.deepEqual(operatorContainer(manifests).args, ['operator', '--leader-elect=false', '--http-port=8080']);
  assert.deepEqual(only(manifests, 'Deployment').spec.strategy, { type: 'Recreate' });
  assert.deepEqual(only(manifests, 'Role', NAMESPACE).rules, EVENT_RULES);
});

test('leader election settings and the HTTP port reach the operator flags', async () => {
  const manifests = await render([
    'leaderElection.leaseName=ops-lease',
    'leaderElection.leaseDuration=30s',
    'leaderElection.renewDeadline=20s',
    'leaderElection.retryPeriod=5s',
    'httpPort=9090',
  ]);
  const container = operatorContainer(manifests);
  assert.deepEqual(container.args, [
    'operator',
    '--leader-elect=true',
    '--lease-name=ops-lease',
    `--lease-namespace=${NAMESPACE}`,
    '--lease-duration=30s',
    '--renew-deadline=20s',
    '--retry-period=5s',
    '--http-port=9090',
  ]);
  assert.deepEqual(container.ports, [{ name: 'http', containerPort: 9090, protocol: 'TCP' }]);
});

test('leaderElection.lock=configmaps: the operator is told so and may write ConfigMaps instead of Leases; another lock is refused', async () => {
  const manifests = await render(['leaderElection.lock=configmaps']);
  assert.deepEqual(operatorContainer(manifests).args.slice(0, 4), ['operator', '--leader-elect=true', '--leader-election-lock=configmaps', '--lease-name=weir-weir-operator']);
  assert.deepEqual(only(manifests, 'Role', NAMESPACE).rules, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update'] }, ...EVENT_RULES]);
  const refused = await runHelm(['template', RELEASE, CHART, '--set', 'leaderElection.lock=endpoints']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /leaderElection\.lock is leases or configmaps, not "endpoints"/);
});

test('replicas=2 with leader election gives two replicas; without it the chart refuses to render', async () => {
  assert.equal(only(await render(['replicas=2']), 'Deployment').spec.replicas, 2);
  const refused = await runHelm(['template', RELEASE, CHART, '--set', 'replicas=2', '--set', 'leaderElection.enabled=false']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /replicas > 1 needs leaderElection\.enabled=true/);
});

test('image, an existing service account, no metrics Service and scheduling values are honoured', async () => {
  const manifests = await render([
    'image.repository=registry.example/weir-operator',
    'image.tag=1.2.3',
    'image.pullPolicy=Always',
    'serviceAccount.create=false',
    'serviceAccount.name=ops',
    'metrics.service.enabled=false',
    'nodeSelector.pool=system',
    'tolerations[0].key=dedicated',
    'tolerations[0].operator=Exists',
  ]);
  assert.deepEqual(inventory(manifests), [
    'ClusterRole /weir-weir-operator',
    'ClusterRoleBinding /weir-weir-operator',
    `Deployment ${NAMESPACE}/weir-weir-operator`,
    `Role ${NAMESPACE}/weir-weir-operator-self`,
    `RoleBinding ${NAMESPACE}/weir-weir-operator-self`,
  ]);
  const pod = only(manifests, 'Deployment').spec.template.spec;
  assert.equal(pod.serviceAccountName, 'ops');
  assert.deepEqual(pod.nodeSelector, { pool: 'system' });
  assert.deepEqual(pod.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
  assert.equal(pod.containers[0].image, 'registry.example/weir-operator:1.2.3');
  assert.equal(pod.containers[0].imagePullPolicy, 'Always');
  const subjects = [{ kind: 'ServiceAccount', name: 'ops', namespace: NAMESPACE }];
  assert.deepEqual(only(manifests, 'ClusterRoleBinding').subjects, subjects);
  assert.deepEqual(only(manifests, 'RoleBinding', NAMESPACE).subjects, subjects);
});
