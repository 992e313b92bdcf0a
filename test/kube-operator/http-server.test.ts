import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { OperatorHttpServer } from '../../src/kube-operator/controller/http-server.ts';

describe('OperatorHttpServer', () => {
  it('serves metrics, liveness and readiness, and 404 JSON for anything else', async (t) => {
    const registry = new Registry();
    const reconciles = new Counter({ name: 'weir_operator_reconciles_total', help: 'Reconciles run', registers: [registry] });
    reconciles.inc(3);
    let healthy = true;
    let ready = false;
    const server = new OperatorHttpServer({
      registry,
      healthy: () => healthy,
      ready: async () => ready, // checks may be async
    });
    const port = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    assert.ok(port > 0);
    const get = async (path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    };

    const metrics = await get('/metrics');
    assert.equal(metrics.status, 200);
    assert.equal(metrics.type, registry.contentType);
    assert.match(metrics.body, /^weir_operator_reconciles_total 3$/m);

    assert.deepEqual(await get('/healthz'), { status: 200, type: 'application/json', body: '{"status":"ok"}' });
    assert.deepEqual(await get('/readyz'), { status: 503, type: 'application/json', body: '{"status":"failed"}' });
    ready = true;
    healthy = false;
    assert.deepEqual(await get('/readyz?verbose'), { status: 200, type: 'application/json', body: '{"status":"ok"}' });
    assert.equal((await get('/healthz')).status, 503);
    assert.deepEqual(await get('/nope'), { status: 404, type: 'application/json', body: '{"error":"no such endpoint: /nope"}' });
    assert.equal((await get('/metrics', 'POST')).status, 405);
  });

  it('reports a throwing check as 503 with its reason, and close() ends keep-alive connections', async () => {
    const server = new OperatorHttpServer({
      registry: new Registry(),
      healthy: () => {
        throw new Error('worker loop died');
      },
      ready: () => true,
    });
    const port = await server.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'keep-alive' } });
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'failed', error: 'worker loop died' });
    await server.close();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    await server.close(); // idempotent
  });
});
