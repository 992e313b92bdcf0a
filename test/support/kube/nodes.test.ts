import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { startKubelet } from './kubelet/kubelet.ts';
import type { Kubelet } from './kubelet/kubelet.ts';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { eventually } from '../eventually.ts';
import { fixture } from './test-helpers.ts';

describe('scheduling and node failure', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  const kubelets: Kubelet[] = [];
  const images = { 'test/http': { entrypoint: [process.execPath, fixture('http-server.mjs')] } };
  before(async () => {
    server = await startKubeServer({ podEvictionTimeoutMs: 300 });
    core = server.kubeconfig.makeApiClient(CoreV1Api);
  });
  after(async () => {
    for (const k of kubelets) await k.stop();
    await server.close();
  });

  it('leaves pods Pending and Unschedulable without nodes, and binds them once a node is Ready', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'early' }, spec: { containers: [{ name: 'web', image: 'test/http' }] } } });
    const pending = await eventually(async () => {
      const p = await core.readNamespacedPod({ name: 'early', namespace: 'default' });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False') ? p : undefined;
    });
    const cond = pending.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/0 nodes are available: no nodes available to schedule pods.');
    kubelets.push(startKubelet({ server, images, nodeName: 'node-a' }), startKubelet({ server, images, nodeName: 'node-b' }));
    const running = await eventually(async () => {
      const p = await core.readNamespacedPod({ name: 'early', namespace: 'default' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(['node-a', 'node-b'].includes(running.spec?.nodeName ?? ''), true);
    await core.deleteNamespacedPod({ name: 'early', namespace: 'default', gracePeriodSeconds: 0 });
  });

  it('evicts the pods of a failed node so their Deployment replaces them on another node', async () => {
    const apps = server.kubeconfig.makeApiClient(AppsV1Api);
    const labels = { app: 'ha' };
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'ha' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'test/http' }] } } } },
    });
    const runningPod = async (): Promise<V1Pod | undefined> => (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=ha' })).items
      .find((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const first = await eventually(runningPod, 30_000, 'first pod');
    const failed = kubelets.find((k) => k.nodeName === first.spec?.nodeName)!;
    await failed.failNode();
    const node = await core.readNode({ name: failed.nodeName });
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
    const replacement = await eventually(async () => {
      const p = await runningPod();
      return p && p.metadata?.name !== first.metadata?.name ? p : undefined;
    }, 30_000, 'replacement pod');
    assert.notEqual(replacement.spec?.nodeName, failed.nodeName);
    const names = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=ha' })).items.map((p) => p.metadata?.name);
    assert.deepEqual(names, [replacement.metadata?.name]);
    await apps.deleteNamespacedDeployment({ name: 'ha', namespace: 'default' });
  });
});
