/** GET /metrics over real HTTP on 127.0.0.1 with an ephemeral port. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsServer } from './metrics-server.ts';
import { MetricRegistry } from './registry.ts';
import { JOB_SCOPE } from './scope.ts';
import { WeirError } from '../../errors/index.ts';

test('serves the registry as Prometheus text; other paths 404, other methods 405', async (t) => {
  const registry = new MetricRegistry();
  let restarts = 1;
  registry.gauge(JOB_SCOPE, 'numRestarts', { host: 'h', job_id: 'j', job_name: 'n' }, () => restarts);
  const server = new MetricsServer(registry);
  const { url, port, host } = await server.start();
  t.after(() => server.close());
  assert.equal(host, '127.0.0.1');
  assert.ok(port > 0);
  assert.equal(server.port, port);

  let res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.match(await res.text(), /^flink_jobmanager_job_numRestarts\{host="h",job_id="j",job_name="n"\} 1$/m);
  restarts = 2;
  res = await fetch(`${url}?x=1`);
  assert.match(await res.text(), /numRestarts\{[^}]*\} 2$/m);

  res = await fetch(`http://127.0.0.1:${port}/other`);
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { errors: ['not found: /other'] });

  res = await fetch(url, { method: 'POST' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  assert.deepEqual(await res.json(), { errors: ['method POST not allowed on /metrics'] });
});

test('a port in use fails start with METRICS_SERVER_START_FAILED; close is idempotent', async (t) => {
  const registry = new MetricRegistry();
  const first = new MetricsServer(registry);
  const { port } = await first.start();
  t.after(() => first.close());
  const second = new MetricsServer(registry, { port });
  await assert.rejects(second.start(), (e: unknown) => e instanceof WeirError && e.code === 'METRICS_SERVER_START_FAILED');
  await first.close();
  await first.close();
  assert.equal(first.port, undefined);
});
