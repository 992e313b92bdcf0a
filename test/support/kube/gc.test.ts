import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CoordinationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { eventually } from '../eventually.ts';
import { apiError } from './test-helpers.ts';

describe('kube test server: ownership, finalizers, namespaces, leases', () => {
  let server: KubeServer;
  let core: CoreV1Api;
  before(async () => {
    server = await startKubeServer();
    core = server.kubeconfig.makeApiClient(CoreV1Api);
  });
  after(() => server.close());

  /** ConfigMaps of a namespace, without the CA bundle every namespace holds. */
  async function names(ns = 'default'): Promise<string[]> {
    return (await core.listNamespacedConfigMap({ namespace: ns })).items.map((c) => c.metadata?.name ?? '').filter((n) => n !== 'kube-root-ca.crt');
  }

  it('garbage-collects dependents of a deleted owner in the background, and orphans on request', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner' } } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'child', ownerReferences: [ref] } } });
    const other = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'other' } } });
    const otherRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: other.metadata!.uid! };
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'shared', ownerReferences: [ref, otherRef] } } });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: 'default' });
    await eventually(async () => ((await names()).includes('child') ? undefined : true));
    // A dependent with another live owner stays.
    assert.deepEqual(await names(), ['other', 'shared']);

    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept', ownerReferences: [otherRef] } } });
    await core.deleteNamespacedConfigMap({ name: 'other', namespace: 'default', propagationPolicy: 'Orphan' });
    await eventually(async () => ((await names()).includes('other') ? undefined : true));
    const kept = await core.readNamespacedConfigMap({ name: 'kept', namespace: 'default' });
    assert.equal(kept.metadata?.ownerReferences, undefined);
    // Orphaning removed shared's live owner reference; the one left points at a deleted owner.
    await eventually(async () => ((await names()).includes('shared') ? undefined : true));
    assert.deepEqual(await names(), ['kept']);
    await core.deleteNamespacedConfigMap({ name: 'kept', namespace: 'default' });
  });

  it('deletes in the foreground: the owner waits, with a deletionTimestamp, until its dependents are gone', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fg-owner' } } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid: owner.metadata!.uid!, blockOwnerDeletion: true };
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fg-child', ownerReferences: [ref], finalizers: ['test/hold'] } } });
    await core.deleteNamespacedConfigMap({ name: 'fg-owner', namespace: 'default', propagationPolicy: 'Foreground' });
    const child = await eventually(async () => {
      const c = await core.readNamespacedConfigMap({ name: 'fg-child', namespace: 'default' });
      return c.metadata?.deletionTimestamp ? c : undefined;
    });
    const held = await core.readNamespacedConfigMap({ name: 'fg-owner', namespace: 'default' });
    assert.deepEqual(held.metadata?.finalizers, ['foregroundDeletion']);
    assert.ok(held.metadata?.deletionTimestamp instanceof Date);
    assert.equal(child.metadata?.finalizers?.includes('test/hold'), true);
    await core.patchNamespacedConfigMap(
      { name: 'fg-child', namespace: 'default', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(async () => ((await names()).some((n) => n.startsWith('fg-')) ? undefined : true));
  });

  it('holds an object with finalizers, with a deletionTimestamp, until they are removed', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fin', finalizers: ['weir.dev/cleanup'] } } });
    await core.deleteNamespacedConfigMap({ name: 'fin', namespace: 'default' });
    const held = await core.readNamespacedConfigMap({ name: 'fin', namespace: 'default' });
    assert.ok(held.metadata?.deletionTimestamp instanceof Date);
    assert.deepEqual(held.metadata?.finalizers, ['weir.dev/cleanup']);
    const addErr = await apiError(core.patchNamespacedConfigMap(
      { name: 'fin', namespace: 'default', body: { metadata: { finalizers: ['weir.dev/cleanup', 'late'] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ));
    assert.equal(addErr.code, 422);
    await core.patchNamespacedConfigMap(
      { name: 'fin', namespace: 'default', body: [{ op: 'remove', path: '/metadata/finalizers' }] },
    );
    const gone = await apiError(core.readNamespacedConfigMap({ name: 'fin', namespace: 'default' }));
    assert.equal(gone.code, 404);
  });

  it('empties and removes a deleted namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    const ns = await core.deleteNamespace({ name: 'doomed' });
    assert.equal((ns as { status?: { phase?: string } }).status?.phase, 'Terminating');
    await eventually(async () => ((await core.listNamespace()).items.some((n) => n.metadata?.name === 'doomed') ? undefined : true));
    assert.deepEqual(await names('doomed'), []);
  });

  it('lets exactly one of two contenders take or renew a Lease', async () => {
    const leases = server.kubeconfig.makeApiClient(CoordinationV1Api);
    const body = { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: new Date(), renewTime: new Date() } };
    const mine = await leases.createNamespacedLease({ namespace: 'default', body });
    const dup = await apiError(leases.createNamespacedLease({ namespace: 'default', body: { ...body, spec: { ...body.spec, holderIdentity: 'b' } } }));
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, 'AlreadyExists');
    assert.equal(dup.status.message, 'leases.coordination.k8s.io "leader" already exists');
    assert.match(String((server.api.get('coordination.k8s.io/v1', 'Lease', 'default', 'leader').spec as { renewTime: string }).renewTime), /\.\d{6}Z$/);
    const seenByB = await leases.readNamespacedLease({ name: 'leader', namespace: 'default' });
    mine.spec!.renewTime = new Date();
    const renewed = await leases.replaceNamespacedLease({ name: 'leader', namespace: 'default', body: mine });
    assert.equal(renewed.spec?.holderIdentity, 'a');
    seenByB.spec!.holderIdentity = 'b';
    const lost = await apiError(leases.replaceNamespacedLease({ name: 'leader', namespace: 'default', body: seenByB }));
    assert.equal(lost.code, 409);
    assert.equal(lost.status.reason, 'Conflict');
    assert.equal(lost.status.message, 'Operation cannot be fulfilled on leases.coordination.k8s.io "leader": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(lost.status.details, { name: 'leader', group: 'coordination.k8s.io', kind: 'leases' });
  });
});
