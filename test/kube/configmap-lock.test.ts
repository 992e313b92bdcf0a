/**
 * The ConfigMap leader lock (the JobManager's HA lock, and the operator's with
 * `--leader-election-lock configmaps`) against the Kubernetes API test server: the exact
 * annotation, writes refused on a stale resourceVersion, the holder's own data, and an
 * elector taking over a dead holder's lock only after its lease expired.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigMapLock, LEADER_ANNOTATION } from '../../src/kube/configmap-lock.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import type { LeaderRecord } from '../../src/kube/leader-lock.ts';
import { startKubeServer } from '../support/kube/index.ts';
import type { KubeServer } from '../support/kube/index.ts';
import { eventually } from '../support/eventually.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CRD_PATHS } from '../../src/kube-operator/crd/render-crd.ts';

const T0 = Date.parse('2026-12-03T09:00:00.250Z');
const record = (holder: string, renew: number, transitions = 0): LeaderRecord => ({ holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: T0, renewTime: renew, leaseTransitions: transitions });

describe('ConfigMap leader lock against the Kubernetes API test server', () => {
  let server: KubeServer;
  before(async () => {
    server = await startKubeServer({ controllers: false, load: [CRD_PATHS[0]] });
  });
  after(async () => {
    await server.close();
  });
  const configMap = (name: string) => server.api.get('v1', 'ConfigMap', 'default', name);
  const signal = () => AbortSignal.timeout(10_000);

  it('writes the leader annotation as client-go does, and refuses a write on a stale resourceVersion', async () => {
    const lock = new ConfigMapLock(server.kubeconfig, 'default', 'lock-a', { labels: { 'weir.dev/cluster-id': 'a' } });
    assert.equal(await lock.get(signal()), undefined);
    const created = await lock.create(record('me', T0), signal());
    assert.ok(created);
    assert.deepEqual(created.record, record('me', T0));
    const cm = configMap('lock-a');
    assert.deepEqual(JSON.parse(cm.metadata.annotations![LEADER_ANNOTATION]!), {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: '2026-12-03T09:00:00.250Z',
      renewTime: '2026-12-03T09:00:00.250Z',
      leaderTransitions: 0,
    });
    assert.deepEqual(cm.metadata.labels, { 'weir.dev/cluster-id': 'a' });
    assert.equal(await new ConfigMapLock(server.kubeconfig, 'default', 'lock-a').create(record('other', T0), signal()), undefined, 'created first by someone else');

    // Someone else writes between our read and our write: ours is refused and changes nothing.
    const other = new ConfigMapLock(server.kubeconfig, 'default', 'lock-a');
    const seen = (await other.get(signal()))!;
    const renewed = await lock.update(record('me', T0 + 1000), created.resourceVersion, signal());
    assert.ok(renewed);
    assert.equal(await other.update(record('other', T0 + 2000, 1), seen.resourceVersion, signal()), undefined);
    assert.deepEqual((await other.get(signal()))!.record, record('me', T0 + 1000));
  });

  it("keeps the holder's data beside its record, removes it on release, and keeps other data", async () => {
    server.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lock-b', namespace: 'default' }, data: { counter: '7' } });
    const lock = new ConfigMapLock(server.kubeconfig, 'default', 'lock-b', { holderData: { identity: 'me', data: () => ({ address: 'http://127.0.0.9:8081' }) } });
    const free = (await lock.get(signal()))!;
    assert.deepEqual(free.record, { holderIdentity: '', leaseDurationSeconds: 0, acquireTime: undefined, renewTime: undefined, leaseTransitions: 0 });
    const held = (await lock.update(record('me', T0), free.resourceVersion, signal()))!;
    assert.deepEqual(configMap('lock-b').data, { counter: '7', address: 'http://127.0.0.9:8081' });
    await lock.update({ ...record('', T0 + 5), leaseDurationSeconds: 1 }, held.resourceVersion, signal());
    assert.deepEqual(configMap('lock-b').data, { counter: '7' });
  });

  it('an elector on a ConfigMap takes over from a holder that died only after its lease expired', async (t) => {
    const LEASE_MS = 2000;
    const elector = (identity: string) => {
      const led: string[] = [];
      const e = new LeaderElector({
        kubeconfig: server.kubeconfig,
        leaseName: 'lock-c',
        lockKind: 'configmaps',
        namespace: 'default',
        identity,
        leaseDurationMs: LEASE_MS,
        renewDeadlineMs: 1500,
        retryPeriodMs: 200,
        releaseOnStop: false,
        onStartedLeading: () => void led.push('started'),
        onStoppedLeading: () => void led.push('stopped'),
        onError: () => {},
      });
      return { e, led };
    };
    const a = elector('a');
    const b = elector('b');
    t.after(() => Promise.all([a.e.stop(), b.e.stop()]));
    a.e.start();
    await eventually(() => (a.e.isLeader() ? true : undefined), 30_000, 'a leads');
    b.e.start();
    await eventually(() => (b.e.getLeader() === 'a' ? true : undefined), 30_000, 'b sees a');
    const diedAt = Date.now();
    await a.e.stop();
    await eventually(() => (b.e.isLeader() ? true : undefined), 30_000, 'b takes over');
    assert.ok(Date.now() - diedAt >= LEASE_MS - 200 * 1.2 - 50, `b waited for the lease to expire (${Date.now() - diedAt}ms)`);
    const annotation = JSON.parse(configMap('lock-c').metadata.annotations![LEADER_ANNOTATION]!) as { holderIdentity: string; leaderTransitions: number };
    assert.equal(annotation.holderIdentity, 'b');
    assert.equal(annotation.leaderTransitions, 1);
    assert.deepEqual(a.led, ['started', 'stopped']);
    assert.deepEqual(b.led, ['started']);
  });

  it('weir operator --leader-election-lock configmaps leads on a ConfigMap and releases it when stopped', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-operator-cm-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfigYaml);
    const child = spawn(process.execPath, [resolve('bin/weir.mjs'), 'operator', '--leader-election-lock', 'configmaps', '--lease-name', 'ops-lock', '--http-port', '0'], {
      env: { ...process.env, KUBECONFIG: kubeconfig, POD_NAME: 'operator-0', POD_NAMESPACE: 'default' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    t.after(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    const holder = () => {
      const cm = server.api.tryGet('v1', 'ConfigMap', 'default', 'ops-lock');
      return cm ? (JSON.parse(cm.metadata.annotations?.[LEADER_ANNOTATION] ?? '{}') as { holderIdentity?: string }).holderIdentity : undefined;
    };
    await eventually(() => (holder()?.startsWith('operator-0_') ? true : undefined), 30_000, 'the operator holds the ConfigMap lock', () => stderr);
    assert.equal(server.api.tryGet('coordination.k8s.io/v1', 'Lease', 'default', 'ops-lock'), undefined, 'no Lease');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(holder(), '', 'released on stop');
  });
});
