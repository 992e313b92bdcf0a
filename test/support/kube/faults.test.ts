import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { apiError } from './test-helpers.ts';
import { timerLateness } from '../timer-lateness.ts';

describe('kube test server: request faults', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  before(async () => {
    server = await startKubeServer();
    core = server.kubeconfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'f' } } });
  });
  after(() => server.close());

  it('fails the next N matching requests with the given code, then serves normally', async () => {
    const failed = server.faults.fired('fail');
    server.faults.fail(2, 500, { method: 'GET', path: '/configmaps/f' });
    const first = await apiError(core.readNamespacedConfigMap({ name: 'f', namespace: 'default' }));
    assert.equal(first.code, 500);
    assert.equal(first.status.reason, 'InternalError');
    assert.equal(first.status.message, 'Internal error occurred: injected fault');
    // Other requests are not affected.
    await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.equal((await apiError(core.readNamespacedConfigMap({ name: 'f', namespace: 'default' }))).code, 500);
    assert.equal((await core.readNamespacedConfigMap({ name: 'f', namespace: 'default' })).metadata?.name, 'f');
    assert.equal(server.faults.fired('fail'), failed + 2);
  });

  it('throttles with 429 and Retry-After, and fakes write conflicts with 409', async () => {
    const failed = server.faults.fired('fail');
    server.faults.fail(1, 429);
    const throttled = await apiError(core.listNamespacedConfigMap({ namespace: 'default' }));
    assert.equal(throttled.code, 429);
    assert.equal(throttled.status.reason, 'TooManyRequests');
    assert.deepEqual(throttled.status.details, { retryAfterSeconds: 1 });
    server.faults.fail(1, 409, { method: 'PUT' });
    const current = await core.readNamespacedConfigMap({ name: 'f', namespace: 'default' });
    const conflict = await apiError(core.replaceNamespacedConfigMap({ name: 'f', namespace: 'default', body: current }));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.status.message, 'Operation cannot be fulfilled on configmaps "f": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(server.faults.fired('fail'), failed + 2);
  });

  it('delays matching requests', async () => {
    const delayed = server.faults.fired('delay');
    server.faults.delay(300, { path: '/configmaps' }, 1);
    const started = Date.now();
    await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.equal(Date.now() - started >= 290, true);
    // Only the first: the next one is served at once (up to how late this busy process runs).
    const lateness = timerLateness();
    const again = Date.now();
    await core.listNamespacedConfigMap({ namespace: 'default' });
    const took = Date.now() - again;
    assert.ok(took < 290 + lateness.maxMs(), `the second list took ${took}ms (timers up to ${lateness.maxMs()}ms late)`);
    assert.equal(server.faults.fired('delay'), delayed + 1);
  });
});
