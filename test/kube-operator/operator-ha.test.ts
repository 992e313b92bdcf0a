/**
 * Operator high availability, with the operator itself running as two pods of a Deployment
 * on the process kubelet: one replica leads; SIGKILL it and another candidate takes over,
 * not before the lease expired; never do both lead at once; and an operator killed in the
 * middle of a deployment leaves no duplicate children behind. Nothing here is bounded by the
 * wall clock of this process: on a loaded machine the replicas start and poll late, so the
 * takeover is read from the Lease's own records and every wait is on a condition.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeCluster } from '../support/kube/index.ts';
import { startOperatorTestCluster, statusOf, streamDeployment, until } from './operator-support.ts';

const LEASE_MS = 2000;
const RETRY_MS = 300;
const SAMPLE_EVERY_MS = 50;
/** Starting two operator processes on a loaded 2-core machine can take minutes; so can each test (above the runner's default). */
const STARTUP_MS = 300_000;
const TEST_TIMEOUT_MS = 600_000;
let cluster: KubeCluster;

before(async () => {
  cluster = await startOperatorTestCluster();
  cluster.server.api.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'weir-operator', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'weir-operator' } },
      template: {
        metadata: { labels: { app: 'weir-operator' } },
        spec: {
          containers: [
            {
              name: 'operator',
              image: 'weir:test',
              args: ['operator', '--lease-duration', `${LEASE_MS}ms`, '--renew-deadline', '1500ms', '--retry-period', `${RETRY_MS}ms`, '--http-port', '8080'],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  });
});

after(() => cluster.stop());

const operatorPods = () => cluster.server.api.list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.app === 'weir-operator' && !p.metadata.deletionTimestamp);

/** Which operator pods report holding the lease right now (from their own /metrics). */
async function leaders(): Promise<string[]> {
  const out: string[] = [];
  for (const pod of operatorPods()) {
    const name = pod.metadata.name ?? '';
    const ip = cluster.kubelet.podIP('default', name);
    if (!ip) continue;
    // A pod that is restarting (just killed) answers nothing: it does not lead.
    const text = await fetch(`http://${ip}:8080/metrics`, { signal: AbortSignal.timeout(500) }).then((r) => r.text(), () => '');
    if (/^weir_operator_leader 1$/m.test(text)) out.push(name);
  }
  return out;
}

interface LeaseSpec {
  holderIdentity: string;
  acquireTime: string;
  renewTime: string;
}
const leaseSpec = () => cluster.server.api.get('coordination.k8s.io/v1', 'Lease', 'default', 'weir-operator').spec as LeaseSpec;
const podOf = (identity: string) => identity.replace(/_[^_]+$/, '');

test('one replica leads; kill it and another takes over once the lease expired, never both at once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const first = await until<string>('a leader', async () => {
    const l = await leaders();
    return l.length === 1 && podOf(leaseSpec().holderIdentity) === l[0] ? l[0] : undefined;
  }, STARTUP_MS);
  // Every record of the Lease from here on: the killed holder's last renewal and its successor's acquisition.
  const records: LeaseSpec[] = [leaseSpec()];
  const unsubscribe = cluster.server.store.subscribe((e) => {
    if (e.object.kind === 'Lease' && e.object.metadata.name === 'weir-operator') records.push(e.object.spec as LeaseSpec);
  });
  const killed = records[0]!.holderIdentity;
  assert.equal(podOf(killed), first);
  let both = 0;
  let sampling = true;
  // Samples the leaders until the takeover is over; the pause is the sampling cadence, not a wait for anything.
  const sampler = (async () => {
    while (sampling) {
      if ((await leaders()).length > 1) both++;
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    }
  })();
  assert.equal(cluster.kubelet.killPod('default', first), 1);
  // Which candidate wins is not promised: the standby usually, but the killed pod restarts as a fresh candidate too.
  const successor = await until<string>('a new holder of the Lease', () => records.find((r) => r.holderIdentity !== '' && r.holderIdentity !== killed)?.holderIdentity, STARTUP_MS, () => records.at(-1));
  await until('only the new holder reporting that it leads', async () => {
    const l = await leaders();
    return l.length === 1 && l[0] === podOf(successor) ? true : undefined;
  }, STARTUP_MS);
  unsubscribe();
  sampling = false;
  await sampler;
  // Both times are stamped by the same machine clock: the successor counts the lease from when it
  // saw the last renewal, which is after that renewal's own time, so it can never be sooner.
  const lastRenewal = records.filter((r) => r.holderIdentity === killed).at(-1)!;
  const takeover = records.find((r) => r.holderIdentity === successor)!;
  const waited = Date.parse(takeover.acquireTime) - Date.parse(lastRenewal.renewTime);
  assert.ok(waited >= LEASE_MS, `the successor took the lease ${waited}ms after the last renewal, before it expired`);
  assert.equal(both, 0);
});

test('an operator killed mid-deployment: the next leader finishes it without duplicate children', { timeout: TEST_TIMEOUT_MS }, async () => {
  const creations = new Map<string, number>();
  const unsubscribe = cluster.server.store.subscribe((e) => {
    if (e.type !== 'ADDED' || e.object.metadata.labels?.['app.kubernetes.io/instance'] !== 'ha') return;
    const k = `${e.object.kind}/${e.object.metadata.name}`;
    creations.set(k, (creations.get(k) ?? 0) + 1);
  });
  const leader = await until<string>('a leader', async () => (await leaders())[0], STARTUP_MS);
  cluster.server.api.create(streamDeployment('ha'));
  await until('the first child', () => (creations.size > 0 ? true : undefined), STARTUP_MS);
  assert.equal(cluster.kubelet.killPod('default', leader), 1);
  await until('STABLE', () => (statusOf(cluster, 'ha').lifecycleState === 'STABLE' ? true : undefined), STARTUP_MS, () => statusOf(cluster, 'ha'));
  unsubscribe();
  const operatorKinds = ['ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'];
  const children = [...creations.entries()].filter(([k]) => operatorKinds.includes(k.split('/')[0]!));
  assert.deepEqual(children.sort(), [
    ['ConfigMap/ha-config', 1],
    ['Deployment/ha-jobmanager', 1],
    ['Deployment/ha-taskmanager', 1],
    ['Role/ha-ha', 1],
    ['RoleBinding/ha-ha', 1],
    ['Service/ha-rest', 1],
    ['ServiceAccount/ha-weir', 1],
  ]);
});
