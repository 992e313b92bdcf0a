/**
 * The job's HA ConfigMap against the Kubernetes API test server: claimed by the leader when it
 * recovers (created with its labels and no owner), replaced conditioned on resourceVersion (a
 * concurrent change is read again, never overwritten), refused to a JobManager that does not
 * lead or whose successor claimed it, and deleted at the end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HA_LEADER_ANNOTATION, KubernetesJobHaStore } from '../../src/runtime/jobmanager/ha/kubernetes-job-store.ts';
import { startKubeServer } from '../support/kube/index.ts';
import type { KubeServer } from '../support/kube/index.ts';

const JOB_ID = '0123456789abcdef0123456789abcdef';
const CM = `fraud-${JOB_ID}-config-map`;
const pointer = (id: number) => ({ checkpointId: id, location: `/chk/${JOB_ID}/chk-${id}`, timestamp: 1000 + id });

describe('Kubernetes job HA store against the Kubernetes API test server', () => {
  let server: KubeServer;
  before(async () => {
    server = await startKubeServer({ controllers: false });
  });
  after(async () => {
    await server.close();
  });

  it('records, keeps data it does not own, retries a conflict, recovers, refuses a non-leader and deletes', async () => {
    let leading = true;
    const store = new KubernetesJobHaStore(server.kubeconfig, 'default', 'fraud', JOB_ID, 'jm-a', () => leading);
    assert.deepEqual(await store.recover(), { nextCheckpointId: 1, pointers: [] });
    await store.recordCompleted([pointer(1)], 2);
    const created = server.api.get('v1', 'ConfigMap', 'default', CM);
    assert.deepEqual(created.metadata.labels, { 'weir.dev/cluster-id': 'fraud', 'weir.dev/configmap-type': 'high-availability', 'weir.dev/job-id': JOB_ID });
    assert.equal(created.metadata.ownerReferences, undefined);
    assert.equal(created.metadata.annotations?.[HA_LEADER_ANNOTATION], 'jm-a');
    assert.deepEqual(created.data, { 'checkpointID-0000000000000000001': JSON.stringify(pointer(1)), counter: '2' });

    // Data another writer added is kept, and a replace refused with 409 (the resourceVersion
    // moved on) is read again and retried.
    const conflicts = server.faults.fired('fail');
    server.faults.fail(1, 409, { method: 'PUT', path: `/configmaps/${CM}` });
    server.api.update({ ...server.api.get('v1', 'ConfigMap', 'default', CM), data: { ...created.data, note: 'kept' } });
    await store.recordCompleted([pointer(1), pointer(2)], 3);
    assert.equal(server.faults.fired('fail') - conflicts, 1, 'one conflict met and retried');
    assert.deepEqual(server.api.get('v1', 'ConfigMap', 'default', CM).data, {
      'checkpointID-0000000000000000001': JSON.stringify(pointer(1)),
      'checkpointID-0000000000000000002': JSON.stringify(pointer(2)),
      counter: '3',
      note: 'kept',
    });
    await store.recordCompleted([pointer(2), pointer(3)], 4);
    assert.deepEqual(await store.recover(), { nextCheckpointId: 4, pointers: [pointer(3), pointer(2)] });

    leading = false;
    await assert.rejects(store.recordCompleted([pointer(4)], 5), { code: 'HA_NOT_LEADER' });
    await assert.rejects(store.discard(), { code: 'HA_NOT_LEADER' });
    assert.equal((server.api.get('v1', 'ConfigMap', 'default', CM).data as Record<string, string>).counter, '4');
    leading = true;
    await store.discard();
    assert.equal(server.api.tryGet('v1', 'ConfigMap', 'default', CM), undefined);
    await store.discard();
  });

  it('a deposed leader that still believes it leads cannot record or delete once its successor claimed the ConfigMap', async () => {
    const old = new KubernetesJobHaStore(server.kubeconfig, 'default', 'fraud', JOB_ID, 'jm-old', () => true);
    await old.recover();
    await old.recordCompleted([pointer(1)], 2);
    // The successor claims before it reads: it restores from checkpoint 1, so checkpoint 2 must never be recorded.
    const successor = new KubernetesJobHaStore(server.kubeconfig, 'default', 'fraud', JOB_ID, 'jm-new', () => true);
    assert.deepEqual(await successor.recover(), { nextCheckpointId: 2, pointers: [pointer(1)] });
    await assert.rejects(old.recordCompleted([pointer(1), pointer(2)], 3), { code: 'HA_NOT_LEADER', message: /jm-new owns/ });
    await assert.rejects(old.discard(), { code: 'HA_NOT_LEADER' });
    const cm = server.api.get('v1', 'ConfigMap', 'default', CM);
    assert.deepEqual(cm.data, { 'checkpointID-0000000000000000001': JSON.stringify(pointer(1)), counter: '2' });
    assert.equal(cm.metadata.annotations?.[HA_LEADER_ANNOTATION], 'jm-new');
    await successor.recordCompleted([pointer(1), pointer(2)], 3);
    await successor.discard();
    assert.equal(server.api.tryGet('v1', 'ConfigMap', 'default', CM), undefined);
  });
});
