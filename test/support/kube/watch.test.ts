import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, Watch } from '@kubernetes/client-node';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { eventually } from '../eventually.ts';
import { timerLateness } from '../timer-lateness.ts';

interface Seen {
  type: string;
  name: string;
  code?: number;
  reason?: string;
  rv?: string;
}

describe('kube test server: watch', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  before(async () => {
    server = await startKubeServer({ bookmarkIntervalMs: 50 });
    core = server.kubeconfig.makeApiClient(CoreV1Api);
  });
  after(() => server.close());

  async function watchEvents(path: string, params: Record<string, string | number | boolean | undefined>): Promise<{ seen: Seen[]; done: Promise<unknown>; stop: () => void }> {
    const seen: Seen[] = [];
    let resolveDone: (v: unknown) => void = () => undefined;
    const done = new Promise((r) => (resolveDone = r));
    const controller = await new Watch(server.kubeconfig).watch(path, params, (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string }) => {
      seen.push({ type, name: obj.metadata?.name ?? '', code: obj.code, reason: obj.reason, rv: obj.metadata?.resourceVersion });
    }, (err) => resolveDone(err));
    return { seen, done, stop: () => controller.abort() };
  }

  it('replays changes after a resourceVersion, then streams new ones', async () => {
    const a = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1' } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w2' } } });
    await core.patchNamespacedConfigMap({ name: 'w1', namespace: 'default', body: [{ op: 'add', path: '/data', value: { a: 'b' } }] });
    const w = await watchEvents('/api/v1/namespaces/default/configmaps', { resourceVersion: a.metadata?.resourceVersion });
    await core.deleteNamespacedConfigMap({ name: 'w2', namespace: 'default' });
    await eventually(() => (w.seen.length >= 3 ? true : undefined));
    w.stop();
    assert.deepEqual(w.seen.map((s) => `${s.type} ${s.name}`), ['ADDED w2', 'MODIFIED w1', 'DELETED w2']);
  });

  it('starts with synthetic ADDED events when no resourceVersion is given, and honours label selectors', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'l1', labels: { app: 'x' } } } });
    const w = await watchEvents('/api/v1/namespaces/default/configmaps', { labelSelector: 'app=x' });
    await core.patchNamespacedConfigMap({ name: 'l1', namespace: 'default', body: [{ op: 'replace', path: '/metadata/labels/app', value: 'y' }] });
    await eventually(() => (w.seen.length >= 2 ? true : undefined));
    w.stop();
    // Leaving the selection is a DELETED event for this watcher.
    assert.deepEqual(w.seen.map((s) => `${s.type} ${s.name}`), ['ADDED l1', 'DELETED l1']);
  });

  it('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event and ends it', async () => {
    const old = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'gone1' } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'gone2' } } });
    server.faults.compact();
    const expired = server.faults.fired('expired');
    const w = await watchEvents('/api/v1/namespaces/default/configmaps', { resourceVersion: old.metadata?.resourceVersion });
    assert.equal(await w.done, null);
    assert.equal(server.faults.fired('expired'), expired + 1);
    assert.equal(w.seen.length, 1);
    assert.equal(w.seen[0]!.type, 'ERROR');
    assert.equal(w.seen[0]!.code, 410);
    assert.equal(w.seen[0]!.reason, 'Expired');
  });

  it('expires versions that fall out of a shrunken history window', async () => {
    server.faults.setHistoryLimit(2);
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'h1' } } });
    for (const n of ['h2', 'h3', 'h4']) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: n } } });
    const expired = server.faults.fired('expired');
    const w = await watchEvents('/api/v1/namespaces/default/configmaps', { resourceVersion: first.metadata?.resourceVersion });
    await w.done;
    assert.deepEqual(w.seen.map((s) => `${s.type} ${s.code ?? ''}`), ['ERROR 410']);
    assert.equal(server.faults.fired('expired'), expired + 1);
    server.faults.setHistoryLimit(10_000);
  });

  it('sends bookmarks carrying the current resourceVersion when asked', async () => {
    const w = await watchEvents('/api/v1/namespaces/default/secrets', { resourceVersion: String(server.store.currentRv()), allowWatchBookmarks: true });
    await eventually(() => (w.seen.some((s) => s.type === 'BOOKMARK') ? true : undefined));
    w.stop();
    const bm = w.seen.find((s) => s.type === 'BOOKMARK')!;
    assert.equal(bm.rv, String(server.store.currentRv()));
  });

  it('ends a watch gracefully after timeoutSeconds, as the server-side watch timeout does', async () => {
    const lateness = timerLateness();
    const started = Date.now();
    const w = await watchEvents('/api/v1/namespaces/default/endpoints', { resourceVersion: String(server.store.currentRv()), timeoutSeconds: 1 });
    assert.equal(await w.done, null);
    const took = Date.now() - started;
    assert.ok(took >= 950 && took < 3000 + lateness.maxMs(), `ended after ${took}ms (timers up to ${lateness.maxMs()}ms late)`);
  });

  it('serves the legacy /watch/ path and ends streams when a fault cuts them', async () => {
    const w = await watchEvents('/api/v1/watch/namespaces/default/serviceaccounts', {});
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'sa1' } } });
    await eventually(() => (w.seen.length === 1 ? true : undefined));
    const cut = server.faults.fired('cut');
    assert.equal(server.faults.cutWatches('/serviceaccounts'), 1);
    assert.equal(server.faults.fired('cut'), cut + 1);
    assert.equal(await w.done, null);
    assert.deepEqual(w.seen.map((s) => `${s.type} ${s.name}`), ['ADDED sa1']);
  });
});
