import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { Informer } from '../../src/kube-operator/controller/informer.ts';
import { startKubeServer } from '../support/kube/index.ts';
import type { KubeServer } from '../support/kube/index.ts';
import { eventually } from '../support/eventually.ts';
import { timerLateness } from '../support/timer-lateness.ts';

describe('Informer against the Kubernetes API test server', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  before(async () => {
    server = await startKubeServer({ controllers: false });
    core = server.kubeconfig.makeApiClient(CoreV1Api);
    for (const name of ['inf-a', 'inf-b', 'inf-c', 'inf-d']) await server.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  });
  after(async () => {
    await server.close();
  });

  const put = (ns: string, name: string, v: string, labels?: Record<string, string>): Promise<V1ConfigMap> =>
    core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels }, data: { v } } });
  const replace = (ns: string, name: string, v: string, labels?: Record<string, string>): Promise<V1ConfigMap> =>
    core.replaceNamespacedConfigMap({ namespace: ns, name, body: { metadata: { name, labels }, data: { v } } });
  const remove = async (ns: string, name: string): Promise<void> => {
    await core.deleteNamespacedConfigMap({ namespace: ns, name });
  };

  function recorder(informer: Informer<V1ConfigMap>): string[] {
    const log: string[] = [];
    informer.addHandlers({
      add: (o) => log.push(`add ${o.metadata?.name}=${o.data?.v}`),
      update: (old, o) => log.push(old === o ? `resync ${o.metadata?.name}` : `update ${o.metadata?.name}=${o.data?.v}`),
      delete: (o) => log.push(`delete ${o.metadata?.name}`),
    });
    return log;
  }

  function cached(informer: Informer<V1ConfigMap>, ns?: string): string[] {
    return informer.list(ns).map((c) => `${c.metadata?.name}=${c.data?.v}`).sort();
  }

  it('lists, then follows adds, updates and deletes; get/list read the cache; a label selector filters', async (t) => {
    await put('inf-a', 'pre', '0');
    await put('inf-b', 'other', '0', { team: 'x' });
    const errors: unknown[] = [];
    const all = new Informer<V1ConfigMap>(server.kubeconfig, { path: '/api/v1/configmaps', onError: (e) => errors.push(e) });
    const selected = new Informer<V1ConfigMap>(server.kubeconfig, { path: '/api/v1/namespaces/inf-b/configmaps', labelSelector: 'team=x', onError: (e) => errors.push(e) });
    const log = recorder(selected);
    t.after(() => Promise.all([all.stop(), selected.stop()]));
    all.start();
    selected.start();
    assert.equal(selected.hasSynced, false);
    await Promise.all([all.waitForSync(), selected.waitForSync()]);
    assert.equal(selected.hasSynced, true);
    assert.equal(all.get('inf-a', 'pre')?.data?.v, '0');
    assert.deepEqual(cached(all, 'inf-b'), ['other=0']);

    await put('inf-b', 'one', '1', { team: 'x' });
    await put('inf-b', 'unlabelled', '1');
    await replace('inf-b', 'one', '2', { team: 'x' });
    await replace('inf-b', 'one', '3'); // loses its label: leaves the selection, a delete
    await remove('inf-b', 'one');
    await put('inf-b', 'two', '1', { team: 'x' });
    await eventually(() => (log.includes('add two=1') ? true : undefined), 30_000, 'the add of two');
    assert.deepEqual(log, ['add other=0', 'add one=1', 'update one=2', 'delete one', 'add two=1']);
    assert.equal(selected.get('inf-b', 'unlabelled'), undefined);
    await eventually(() => (all.get('inf-b', 'unlabelled') ? true : undefined), 30_000, 'unlabelled in the all-namespaces cache');

    // A handler registered late first hears about what is already cached.
    const late: string[] = [];
    selected.addHandlers({ add: (o) => late.push(o.metadata?.name ?? '') });
    assert.deepEqual(late.sort(), ['other', 'two']);
    await Promise.all([all.stop(), selected.stop()]);
    assert.deepEqual(errors, []);
  });

  it('converges after graceful and abrupt cuts and a 410, noticing deletes made while disconnected', async (t) => {
    const errors: unknown[] = [];
    const informer = new Informer<V1ConfigMap>(server.kubeconfig, { path: '/api/v1/namespaces/inf-c/configmaps', backoff: { initialMs: 20, maxMs: 100 }, onError: (e) => errors.push(e) });
    const log = recorder(informer);
    t.after(() => informer.stop());
    informer.start();
    await informer.waitForSync();
    const settle = (expected: string[]): Promise<boolean> =>
      eventually(() => (JSON.stringify(cached(informer)) === JSON.stringify(expected) ? true : undefined), 30_000, `cache ${expected.join(',')}`);

    const PATH = '/namespaces/inf-c/configmaps';
    const watchOpen = (): Promise<boolean> => eventually(() => (server.faults.openWatches(PATH) === 1 ? true : undefined), 30_000, 'the informer to watch', () => server.faults.openWatches(PATH));

    await put('inf-c', 'a', '1');
    await settle(['a=1']);
    await watchOpen();
    assert.equal(server.faults.cutWatches(PATH), 1);
    await put('inf-c', 'b', '1');
    await settle(['a=1', 'b=1']);

    await watchOpen();
    assert.equal(server.faults.cutWatches(PATH, true), 1);
    await replace('inf-c', 'a', '2');
    await settle(['a=2', 'b=1']);
    assert.equal(errors.length, 1, 'the reset is reported once');

    // Hold the resumed watch back, change things meanwhile, and drop the history: the watch
    // resumes from a compacted version, gets 410 and the relist finds b gone.
    await watchOpen();
    const resumed = server.faults.hold({ method: 'GET', path: /\/namespaces\/inf-c\/configmaps\?(.*&)?watch=true/ });
    assert.equal(server.faults.cutWatches(PATH), 1);
    await eventually(() => (resumed.caught() === 1 ? true : undefined), 30_000, 'the informer to resume its watch');
    await remove('inf-c', 'b');
    await put('inf-c', 'c', '1');
    server.faults.compact();
    const expired = server.faults.fired('expired');
    resumed.release();
    await settle(['a=2', 'c=1']);
    assert.equal(server.faults.fired('expired'), expired + 1);
    // A relist reports what it found before what disappeared, as client-go's Replace does.
    assert.deepEqual(log, ['add a=1', 'add b=1', 'update a=2', 'add c=1', 'delete b']);
    await informer.stop();
    await eventually(() => (server.faults.openWatches(PATH) === 0 ? true : undefined), 30_000, 'stop() to leave no watch open', () => server.faults.openWatches(PATH));
  });

  it('retries a failing list with exponential backoff, and resyncs the cache periodically', async (t) => {
    await put('inf-d', 'x', '1');
    const failed = server.faults.fired('fail');
    server.faults.fail(3, 500, { method: 'GET', path: '/namespaces/inf-d/configmaps' });
    const errors: string[] = [];
    const informer = new Informer<V1ConfigMap>(server.kubeconfig, {
      path: '/api/v1/namespaces/inf-d/configmaps',
      backoff: { initialMs: 40, maxMs: 1000 },
      resyncPeriodMs: 100,
      onError: (e) => errors.push((e as Error).message),
    });
    const log = recorder(informer);
    t.after(() => informer.stop());
    const lateness = timerLateness();
    const startedAt = Date.now();
    informer.start();
    await informer.waitForSync();
    const waited = Date.now() - startedAt;
    assert.equal(errors.length, 3);
    assert.equal(server.faults.fired('fail'), failed + 3);
    assert.match(errors[0]!, /HTTP 500/);
    assert.ok(waited >= 40 + 80 + 160, `backed off 40+80+160ms, waited ${waited}ms`);
    assert.ok(waited < 1500 + lateness.maxMs(), `did not wait much longer than the backoff (${waited}ms, timers up to ${lateness.maxMs()}ms late)`);
    await eventually(() => (log.filter((l) => l === 'resync x').length >= 2 ? true : undefined), 30_000, 'two resyncs');
    assert.deepEqual(log.filter((l) => l !== 'resync x'), ['add x=1']);
    // A second informer with the same period keeps time: once it resynced twice more, a live first one would have too.
    const clockErrors: unknown[] = [];
    const clock = new Informer<V1ConfigMap>(server.kubeconfig, { path: '/api/v1/namespaces/inf-d/configmaps', resyncPeriodMs: 100, onError: (e) => clockErrors.push(e) });
    const ticks = recorder(clock);
    t.after(() => clock.stop());
    clock.start();
    await clock.waitForSync();
    await informer.stop();
    const n = log.length;
    await eventually(() => (ticks.filter((l) => l === 'resync x').length >= 3 ? true : undefined), 30_000, 'three resyncs of the other informer');
    assert.equal(log.length, n, 'no resync after stop');
    assert.deepEqual(clockErrors, []);
  });

  it('waitForSync rejects when stopped before the first list', async () => {
    const failed = server.faults.fired('fail');
    server.faults.fail(100, 503, { method: 'GET', path: '/namespaces/inf-never/configmaps' });
    let failedLists = 0;
    const informer = new Informer<V1ConfigMap>(server.kubeconfig, { path: '/api/v1/namespaces/inf-never/configmaps', backoff: { initialMs: 10, maxMs: 20 }, onError: () => failedLists++ });
    informer.start();
    const sync = informer.waitForSync();
    await eventually(() => (failedLists >= 2 ? true : undefined), 30_000, 'two failed lists');
    await informer.stop();
    await assert.rejects(sync, { code: 'INFORMER_STOPPED' });
    // Every failed list was a fault that fired (a list stopped mid-flight may be one more).
    assert.ok(server.faults.fired('fail') - failed >= failedLists, `${server.faults.fired('fail') - failed} faults fired, ${failedLists} lists failed`);
    server.faults.clear();
  });
});
