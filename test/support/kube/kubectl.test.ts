// The test cluster through the real kubectl 1.31, the second client this fixture must
// satisfy besides client-node: tables from the server's printers, OpenAPI-backed apply and
// explain, events from the control plane and the kubelet, rollout history and undo,
// foreground deletion, and logs that follow a container.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helm/kubectl-binary.ts';
import { startKubeCluster } from './index.ts';
import type { KubeCluster } from './index.ts';
import { fixture } from './test-helpers.ts';

/** Rows of kubectl's table output, cells split on runs of two or more spaces. */
function rows(out: string): string[][] {
  return out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
}

describe('kube test cluster with the real kubectl', () => {
  let cluster: KubeCluster;
  let dir: string;
  const kubectl = async (...args: string[]): Promise<string> => {
    const r = await runKubectl(args, { kubeconfig: join(dir, 'kubeconfig'), cacheDir: join(dir, 'cache') });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    cluster = await startKubeCluster({
      kubelet: {
        images: { 'test/http': { entrypoint: [process.execPath, fixture('http-server.mjs')] }, 'test/ticker': { entrypoint: [process.execPath, fixture('ticker.mjs')] } },
        backoff: { initialMs: 200, maxMs: 400 },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'weir-kubectl-'));
    writeFileSync(join(dir, 'kubeconfig'), cluster.server.kubeconfigYaml);
  });
  after(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply validates against the served OpenAPI; get prints the kinds\' columns; the kubernetes Service and CA bundle exist', async () => {
    const manifest = join(dir, 'web.yaml');
    writeFileSync(manifest, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
      'spec: {replicas: 2, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: http, image: test/http}]}}}',
    ].join('\n'));
    assert.equal((await kubectl('apply', '-f', manifest)).trim(), 'deployment.apps/web created');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    const [deployHeader, deployRow] = rows(await kubectl('get', 'deploy', 'web'));
    assert.deepEqual(deployHeader, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(deployRow!.slice(0, 4), ['web', '2/2', '2', '2']);
    const [podHeader, ...pods] = rows(await kubectl('get', 'pods', '-l', 'app=web', '-o', 'wide'));
    assert.deepEqual(podHeader, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(pods.map((p) => [p[1], p[2], p[3], p[6], p[7], p[8]]), [['1/1', 'Running', '0', 'weir-node', '<none>', '<none>'], ['1/1', 'Running', '0', 'weir-node', '<none>', '<none>']]);
    assert.match(pods[0]![5]!, /^127\.\d+\.\d+\.\d+$/);
    const [, svc] = rows(await kubectl('get', 'svc', 'kubernetes'));
    assert.deepEqual([svc![0], svc![1], svc![3], svc![4]], ['kubernetes', 'ClusterIP', '<none>', '443/TCP']);
    assert.deepEqual(rows(await kubectl('get', 'cm', '-n', 'kube-system')).map((r) => r.slice(0, 2)), [['NAME', 'DATA'], ['kube-root-ca.crt', '1']]);
    assert.match(await kubectl('explain', 'deployment.spec.replicas'), /FIELD: replicas <integer>/);
  });

  it('events from the scheduler, the kubelet and the Deployment controller, as get events and describe show them', async () => {
    const scaled = await kubectl('get', 'events', '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=web');
    assert.match(scaled, /Normal\s+ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-[a-z0-9]{10} from 0 to 2/);
    const pod = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name')).split('\n')[0]!;
    const described = await kubectl('describe', pod);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) assert.match(described, new RegExp(`Normal\\s+${reason}\\s`), reason);
    assert.match(described, /Successfully assigned default\/web-[a-z0-9-]+ to weir-node/);
  });

  it('rollout history and undo, through the revision annotations', async () => {
    await kubectl('set', 'env', 'deployment/web', 'COLOR=blue');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    // A title line, the header, then one row per revision.
    const revisions = async (): Promise<string[]> => rows(await kubectl('rollout', 'history', 'deployment/web')).slice(2).map((r) => r[0]!);
    assert.deepEqual(await revisions(), ['1', '2']);
    assert.equal((await kubectl('rollout', 'undo', 'deployment/web')).trim(), 'deployment.apps/web rolled back');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.deepEqual(await revisions(), ['2', '3']);
    assert.equal(await kubectl('get', 'deployment/web', '-o', 'jsonpath={.spec.template.spec.containers[0].env}'), '');
  });

  it('delete --cascade=foreground waits for the ReplicaSets and pods, and finishes', async () => {
    assert.equal((await kubectl('delete', 'deployment/web', '--cascade=foreground', '--timeout=60s')).trim(), 'deployment.apps "web" deleted');
    assert.equal((await kubectl('get', 'deploy,rs,pods', '-l', 'app=web', '-o', 'name')).trim(), '');
  });

  it('logs -f follows a container until it exits', async () => {
    await kubectl('run', 'ticker', '--image=test/ticker', '--restart=Never', '--env=TICKS=6', '--env=TICK_MS=300');
    await kubectl('wait', '--for=jsonpath={.status.containerStatuses[0].started}=true', 'pod/ticker', '--timeout=30s');
    assert.equal(await kubectl('logs', '-f', 'pod/ticker'), 'tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\n');
    await kubectl('delete', 'pod/ticker');
  });
});
