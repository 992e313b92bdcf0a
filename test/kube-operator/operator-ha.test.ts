/**
 * Operator high availability, with the operator itself running as two pods of a Deployment
 * on the process kubelet: one replica leads; SIGKILL it and the other takes over within the
 * lease duration; never do both lead at once; and an operator killed in the middle of a
 * deployment leaves no duplicate children behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeCluster } from '../support/kube/index.ts';
import { timerLateness } from '../support/timer-lateness.ts';
import { startOperatorTestCluster, statusOf, streamDeployment, until } from './operator-support.ts';

const LEASE_MS = 2000;
const RETRY_MS = 300;
const SAMPLE_EVERY_MS = 50;
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

test('one replica leads; kill it and the other takes over within the lease duration, never both at once', async () => {
  const first = await until<string>('a leader', async () => ((await leaders()).length === 1 ? (await leaders())[0] : undefined), 30_000);
  const lease = cluster.server.api.get('coordination.k8s.io/v1', 'Lease', 'default', 'weir-operator');
  assert.ok((lease.spec as { holderIdentity: string }).holderIdentity.startsWith(`${first}_`));
  let both = 0;
  let sampling = true;
  // Samples the leaders until the takeover is over; the pause is the sampling cadence, not a wait for anything.
  const sampler = (async () => {
    while (sampling) {
      if ((await leaders()).length > 1) both++;
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    }
  })();
  // The takeover time is read from the Lease itself: the moment another identity holds it.
  let tookOverAt = 0;
  const unsubscribe = cluster.server.store.subscribe((e) => {
    const holder = e.object.kind === 'Lease' ? (e.object.spec as { holderIdentity?: string }).holderIdentity : undefined;
    if (holder && !holder.startsWith(`${first}_`) && tookOverAt === 0) tookOverAt = Date.now();
  });
  const lateness = timerLateness();
  assert.equal(cluster.kubelet.killPod('default', first), 1);
  const killedAt = Date.now();
  const next = await until<string>('a new leader', async () => {
    const l = await leaders();
    return l.length === 1 && l[0] !== first ? l[0] : undefined;
  }, 30_000);
  unsubscribe();
  const takeover = tookOverAt - killedAt;
  sampling = false;
  await sampler;
  assert.notEqual(next, first);
  // The lease must expire first (LEASE_MS after the last renewal); then a retry period, plus slack for a loaded
  // 2-core machine: the other replica's timers run late as this process's do, which stands in for them.
  assert.ok(takeover > 0 && takeover <= LEASE_MS + RETRY_MS + 1000 + lateness.maxMs(), `takeover took ${takeover}ms (timers up to ${lateness.maxMs()}ms late)`);
  assert.equal(both, 0);
});

test('an operator killed mid-deployment: the next leader finishes it without duplicate children', async () => {
  const creations = new Map<string, number>();
  const unsubscribe = cluster.server.store.subscribe((e) => {
    if (e.type !== 'ADDED' || e.object.metadata.labels?.['app.kubernetes.io/instance'] !== 'ha') return;
    const k = `${e.object.kind}/${e.object.metadata.name}`;
    creations.set(k, (creations.get(k) ?? 0) + 1);
  });
  const leader = await until<string>('a leader', async () => (await leaders())[0], 30_000);
  cluster.server.api.create(streamDeployment('ha'));
  await until('the first child', () => (creations.size > 0 ? true : undefined), 30_000);
  assert.equal(cluster.kubelet.killPod('default', leader), 1);
  await until('STABLE', () => (statusOf(cluster, 'ha').lifecycleState === 'STABLE' ? true : undefined), 90_000, () => statusOf(cluster, 'ha'));
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
