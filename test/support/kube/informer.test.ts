import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, ObjectCache, V1ConfigMap } from '@kubernetes/client-node';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { eventually } from '../eventually.ts';

describe('kube test server: informers', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  let informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>;
  const log: string[] = [];
  let stopping = false;
  const restartErrors: unknown[] = [];
  before(async () => {
    server = await startKubeServer();
    core = server.kubeconfig.makeApiClient(CoreV1Api);
    await server.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
    informer = makeInformer(server.kubeconfig, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
    informer.on('add', (o) => log.push(`add ${o.metadata?.name ?? ''}`));
    informer.on('update', (o) => log.push(`update ${o.metadata?.name ?? ''}`));
    informer.on('delete', (o) => log.push(`delete ${o.metadata?.name ?? ''}`));
    // client-node stops an informer on a stream error; callers restart it, as documented.
    informer.on('error', () => setTimeout(() => {
      if (!stopping) informer.start().catch((err: unknown) => restartErrors.push(err));
    }, 10));
    await informer.start();
  });
  after(async () => {
    stopping = true;
    await informer.stop();
    await server.close();
  });

  const CA_BUNDLE = 'kube-root-ca.crt';

  function cached(): string[] {
    return informer.list('inf').filter((c) => c.metadata?.name !== CA_BUNDLE).map((c) => `${c.metadata?.name ?? ''}=${c.data?.v ?? ''}`).sort();
  }

  const PATH = '/namespaces/inf/configmaps';
  /** Cutting the watch is a fault only while one is open. */
  async function watchOpen(): Promise<void> {
    await eventually(() => (server.faults.openWatches(PATH) === 1 ? true : undefined), 30_000, 'the informer to watch', () => server.faults.openWatches(PATH));
  }

  async function settle(expected: string[]): Promise<void> {
    await eventually(() => (JSON.stringify(cached()) === JSON.stringify(expected) ? true : undefined), 30_000, `cache ${expected.join(',')}`);
  }

  it('follows changes, resumes after a cut stream, and relists after a 410', async () => {
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'a' }, data: { v: '1' } } });
    await settle(['a=1']);

    // A graceful cut (as a server-side timeout) makes the informer resume from its last version.
    await watchOpen();
    assert.equal(server.faults.cutWatches(PATH), 1);
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'b' }, data: { v: '1' } } });
    await settle(['a=1', 'b=1']);

    // An abrupt reset surfaces as an error; the restarted informer relists.
    await watchOpen();
    assert.equal(server.faults.cutWatches(PATH, true), 1);
    await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'inf', body: { metadata: { name: 'a' }, data: { v: '2' } } });
    await settle(['a=2', 'b=1']);

    // Changes missed while the history is compacted: the resumed watch, held back meanwhile,
    // gets 410, the informer relists and notices the deletion it never saw as an event.
    await watchOpen();
    const resumed = server.faults.hold({ method: 'GET', path: /\/namespaces\/inf\/configmaps\?(.*&)?watch=true/ });
    assert.equal(server.faults.cutWatches(PATH), 1);
    await eventually(() => (resumed.caught() === 1 ? true : undefined), 30_000, 'the informer to resume its watch');
    await core.deleteNamespacedConfigMap({ name: 'b', namespace: 'inf' });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'c' }, data: { v: '1' } } });
    server.faults.compact();
    const expired = server.faults.fired('expired');
    resumed.release();
    await settle(['a=2', 'c=1']);
    assert.equal(server.faults.fired('expired'), expired + 1);
    assert.deepEqual(log.filter((l) => !l.startsWith('update a') && !l.endsWith(CA_BUNDLE)), ['add a', 'add b', 'delete b', 'add c']);
    assert.deepEqual(restartErrors, []);
  });
});
