import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { startKubeCluster } from './index.ts';
import type { KubeCluster, Kubelet, KubeServer } from './index.ts';
import { installClusterResolver } from './kubelet/preload.mjs';
import { eventually } from '../eventually.ts';
import { fixture } from './test-helpers.ts';

/** client-node returns class instances; compare their JSON. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

describe('process kubelet with controllers: Services and Deployments', () => {
  let cluster: KubeCluster;
  let server: KubeServer;
  let kubelet: Kubelet;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  before(async () => {
    cluster = await startKubeCluster({
      kubelet: {
        images: {
          'test/http': { entrypoint: [process.execPath, fixture('http-server.mjs')] },
          'test/client': { entrypoint: [process.execPath, fixture('service-client.mjs')] },
        },
        backoff: { initialMs: 200, maxMs: 400 },
      },
    });
    ({ server, kubelet } = cluster);
    core = server.kubeconfig.makeApiClient(CoreV1Api);
    apps = server.kubeconfig.makeApiClient(AppsV1Api);
  });
  after(() => cluster.stop());

  function httpPod(name: string, labels: Record<string, string>): Promise<unknown> {
    return core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name, labels },
        spec: {
          containers: [{
            name: 'web', image: 'test/http', ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
          }],
        },
      },
    });
  }

  it('lets a process reach another pod through a Service name, via the cluster IP proxy', async () => {
    await httpPod('backend', { app: 'backend' });
    await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'backend' }, spec: { selector: { app: 'backend' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } },
    });
    for (const [name, url] of [['short', 'http://backend/'], ['fqdn', 'http://backend.default.svc.cluster.local:80/']] as const) {
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: `client-${name}` },
          spec: { containers: [{ name: 'client', image: 'test/client', env: [{ name: 'TARGET_URL', value: url }, { name: 'RESULT_NAME', value: `result-${name}` }] }] },
        },
      });
    }
    const backendIP = kubelet.podIP('default', 'backend');
    for (const name of ['short', 'fqdn']) {
      const cm = await eventually(async () => (await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: `metadata.name=result-${name}` })).items[0], 30_000, `result-${name}`);
      const body = JSON.parse(cm.data?.body ?? '{}') as { hostname?: string; podIP?: string; address?: { address?: string } };
      assert.equal(body.hostname, 'backend');
      assert.equal(body.address?.address, backendIP);
    }
    const ep = await core.readNamespacedEndpoints({ name: 'backend', namespace: 'default' });
    assert.deepEqual(ep.subsets?.[0]?.addresses?.map((a) => a.ip), [backendIP]);
    assert.deepEqual(plain(ep.subsets?.[0]?.ports), [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    const slices = await server.kubeconfig.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=backend' });
    assert.deepEqual(slices.items.map((sl) => sl.endpoints.map((e) => `${e.addresses[0] ?? ''} ready=${String(e.conditions?.ready)}`)), [[`${backendIP ?? ''} ready=true`]]);
    // The test process itself can resolve cluster names too.
    installClusterResolver({ dnsFile: kubelet.dnsFile, namespace: 'default' });
    const svc = await core.readNamespacedService({ name: 'backend', namespace: 'default' });
    assert.match(svc.spec?.clusterIP ?? '', /^127\./);
    const direct = await (await fetch('http://backend.default/')).json() as { hostname: string };
    assert.equal(direct.hostname, 'backend');
  });

  it('terminates the pods of a deleted namespace before removing it', async () => {
    await core.createNamespace({ body: { metadata: { name: 'tmp' } } });
    await core.createNamespacedPod({ namespace: 'tmp', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'web', image: 'test/http' }] } } });
    await eventually(async () => ((await core.readNamespacedPod({ name: 'p', namespace: 'tmp' })).status?.phase === 'Running' ? true : undefined));
    await core.deleteNamespace({ name: 'tmp' });
    await eventually(async () => ((await core.listNamespace()).items.some((n) => n.metadata?.name === 'tmp') ? undefined : true), 30_000, 'namespace gone');
    assert.equal(kubelet.podIP('tmp', 'p'), undefined);
  });

  it('rolls a Recreate Deployment without ever running old and new pods together', async () => {
    const labels = { app: 'rc' };
    let live = 0;
    let maxLive = 0;
    const unsubscribe = server.store.subscribe((e) => {
      if (e.key !== '/pods' || e.object.metadata.labels?.app !== 'rc' || e.type === 'MODIFIED') return;
      live += e.type === 'ADDED' ? 1 : -1;
      maxLive = Math.max(maxLive, live);
    });
    const template = (version: string): Record<string, unknown> => ({
      metadata: { labels }, spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'web', image: 'test/http', env: [{ name: 'VERSION', value: version }] }] },
    });
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'rc' }, spec: { replicas: 1, strategy: { type: 'Recreate' }, selector: { matchLabels: labels }, template: template('1') } },
    });
    const readyAt = (gen: number) => async (): Promise<true | undefined> => {
      const d = await apps.readNamespacedDeployment({ name: 'rc', namespace: 'default' });
      return d.status?.observedGeneration === gen && d.status.readyReplicas === 1 && d.status.updatedReplicas === 1 && d.status.replicas === 1 ? true : undefined;
    };
    await eventually(readyAt(1), 30_000, 'first version ready');
    await apps.patchNamespacedDeployment(
      { name: 'rc', namespace: 'default', body: { spec: { template: template('2') } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(readyAt(2), 30_000, 'second version ready');
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=rc' })).items;
    assert.deepEqual(pods.map((p) => p.spec?.containers[0]?.env?.[0]?.value), ['2']);
    assert.equal(pods[0]?.status?.qosClass, 'BestEffort');
    unsubscribe();
    assert.equal(maxLive, 1);
    await apps.deleteNamespacedDeployment({ name: 'rc', namespace: 'default' });
  });

  it('rolls a RollingUpdate Deployment within maxSurge and maxUnavailable', async () => {
    const labels = { app: 'ru' };
    // Pods that are not terminating: what maxSurge bounds.
    const live = new Set<string>();
    let maxLive = 0;
    const unsubscribe = server.store.subscribe((e) => {
      if (e.key !== '/pods' || e.object.metadata.labels?.app !== 'ru') return;
      if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp) live.delete(e.object.metadata.name ?? '');
      else live.add(e.object.metadata.name ?? '');
      maxLive = Math.max(maxLive, live.size);
    });
    const template = (version: string): Record<string, unknown> => ({
      metadata: { labels },
      spec: { containers: [{ name: 'web', image: 'test/http', env: [{ name: 'VERSION', value: version }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } }] },
    });
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'ru' },
        spec: { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, selector: { matchLabels: labels }, template: template('1') },
      },
    });
    const done = (gen: number) => async (): Promise<true | undefined> => {
      const s = (await apps.readNamespacedDeployment({ name: 'ru', namespace: 'default' })).status;
      return s?.observedGeneration === gen && s.updatedReplicas === 3 && s.availableReplicas === 3 && s.replicas === 3 ? true : undefined;
    };
    await eventually(done(1), 30_000, 'first rollout');
    maxLive = live.size;
    await apps.patchNamespacedDeployment(
      { name: 'ru', namespace: 'default', body: { spec: { template: template('2') } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(done(2), 30_000, 'second rollout');
    await eventually(() => (live.size === 3 ? true : undefined), 30_000, 'old pods gone');
    unsubscribe();
    assert.equal(maxLive, 4);
    await apps.deleteNamespacedDeployment({ name: 'ru', namespace: 'default' });
  });

  it('runs a Deployment as ReplicaSet-owned pods, scales it, and rolls it on template changes', async () => {
    const labels = { app: 'jm' };
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'jm' },
        spec: {
          replicas: 2, selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'test/http', readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } }] } },
        },
      },
    });
    const ready = (gen: number, replicas: number) => async (): Promise<V1Deployment | undefined> => {
      const d = await apps.readNamespacedDeployment({ name: 'jm', namespace: 'default' });
      const s = d.status;
      return s?.observedGeneration === gen && s.readyReplicas === replicas && s.availableReplicas === replicas && s.updatedReplicas === replicas && s.replicas === replicas ? d : undefined;
    };
    const d1 = await eventually(ready(1, 2), 30_000, 'two ready replicas');
    assert.deepEqual(d1.status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`), ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=jm' })).items;
    assert.equal(pods.length, 2);
    const rsName = pods[0]!.metadata?.ownerReferences?.[0]?.name ?? '';
    assert.match(rsName, /^jm-[a-z0-9]{10}$/);
    assert.equal(pods.every((p) => p.status?.phase === 'Running' && p.metadata?.name?.startsWith(`${rsName}-`)), true);

    await apps.patchNamespacedDeploymentScale(
      { name: 'jm', namespace: 'default', body: { spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(ready(2, 1), 30_000, 'scaled to one');
    await eventually(async () => ((await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=jm' })).items.length === 1 ? true : undefined), 30_000, 'one pod left');

    await apps.patchNamespacedDeployment(
      { name: 'jm', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'VERSION', value: '2' }] }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await eventually(ready(3, 1), 30_000, 'rolled');
    const rolled = await eventually(async () => {
      const items = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=jm' })).items;
      return items.length === 1 && items[0]!.metadata?.ownerReferences?.[0]?.name !== rsName ? items : undefined;
    }, 30_000, 'old pod replaced');
    assert.deepEqual(plain(rolled[0]!.spec?.containers[0]?.env), [{ name: 'VERSION', value: '2' }]);
    assert.equal(rolled[0]!.spec?.containers[0]?.image, 'test/http');
    const revisions = async (): Promise<string[]> => {
      const sets = (await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=jm' })).items;
      const d = await apps.readNamespacedDeployment({ name: 'jm', namespace: 'default' });
      const rev = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '-';
      return [`deployment=${rev(d)}`, ...sets.map((rs) => `${rs.metadata?.name === rsName ? 'first' : 'second'}=${rev(rs)}`).sort()];
    };
    assert.deepEqual(await revisions(), ['deployment=2', 'first=1', 'second=2']);

    // Back to the first template (what `kubectl rollout undo` does): its ReplicaSet returns as revision 3.
    await apps.patchNamespacedDeployment(
      { name: 'jm', namespace: 'default', body: [{ op: 'remove', path: '/spec/template/spec/containers/0/env' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await eventually(ready(4, 1), 30_000, 'rolled back');
    assert.deepEqual(await revisions(), ['deployment=3', 'first=3', 'second=2']);

    // Foreground: the Deployment waits for its ReplicaSets and pods, and the controller creates no new ones meanwhile.
    const rvBefore = Number((await apps.readNamespacedDeployment({ name: 'jm', namespace: 'default' })).metadata?.resourceVersion);
    await apps.deleteNamespacedDeployment({ name: 'jm', namespace: 'default', propagationPolicy: 'Foreground' });
    await eventually(async () => ((await apps.listNamespacedDeployment({ namespace: 'default' })).items.some((d) => d.metadata?.name === 'jm') ? undefined : true), 30_000, 'the Deployment gone');
    assert.equal((await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=jm' })).items.length, 0);
    assert.deepEqual((await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=jm' })).items, []);
    const rvAfter = Number((await core.listNamespacedPod({ namespace: 'default' })).metadata?.resourceVersion);
    assert.ok(rvAfter - rvBefore < 100, `${rvAfter - rvBefore} writes to delete one Deployment`);
  });
});
