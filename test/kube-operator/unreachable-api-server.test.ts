/**
 * An operator whose API server cannot be reached stays alive, reports not ready on /readyz,
 * says why in its log, and starts working as soon as the server is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startKubeServer } from '../support/kube/index.ts';
import { kubeconfigYaml, loadKubeConfig } from '../support/kube/index.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import { CRD_PATHS } from '../../src/kube-operator/crd/render-crd.ts';
import { streamDeployment, until } from './operator-support.ts';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

test('an unreachable API server: alive, not ready, a clear log line; it catches up once the server is up', async () => {
  const port = await freePort();
  const logs: string[] = [];
  const operator = new WeirOperator({
    kc: loadKubeConfig(kubeconfigYaml(`http://127.0.0.1:${port}`)),
    identity: 'lonely',
    namespaces: [],
    httpPort: 0,
    httpHost: '127.0.0.1',
    leaderElection: { enabled: false, leaseName: 'weir-operator', leaseNamespace: 'default', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    log: (l) => logs.push(l),
  });
  const http = await operator.start();
  try {
    await until('a log line about the API server', () => logs.find((l) => l.includes('ECONNREFUSED')), 30_000, () => logs);
    assert.equal((await fetch(`http://127.0.0.1:${http}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${http}/readyz`)).status, 503);
    const server = await startKubeServer({ load: [CRD_PATHS[0]], controllers: false, port });
    try {
      server.api.create(streamDeployment('late'));
      await until('children of the late StreamDeployment', () => server.api.tryGet('apps/v1', 'Deployment', 'default', 'late-jobmanager'), 30_000);
      assert.equal((await fetch(`http://127.0.0.1:${http}/readyz`)).status, 200);
    } finally {
      await server.close();
    }
  } finally {
    await operator.stop();
  }
});
