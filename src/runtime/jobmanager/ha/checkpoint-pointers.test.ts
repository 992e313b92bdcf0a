import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pointerKey, readPointers, withCompleted } from './checkpoint-pointers.ts';
import { clusterConfigMapName, fixedJobId, jobConfigMapName, parseHaConfig } from './ha-config.ts';

const p = (id: number) => ({ checkpointId: id, location: `/chk/job/chk-${id}`, timestamp: 1000 + id });

test('pointer keys are checkpointID- and the id in 19 digits', () => {
  assert.equal(pointerKey(42), 'checkpointID-0000000000000000042');
});

test('a completed checkpoint replaces the pointers with the retained ones and moves the counter on, keeping other data', () => {
  const data = withCompleted({ other: 'x', [pointerKey(1)]: JSON.stringify(p(1)), counter: '3' }, [p(2), p(3)], 4);
  assert.deepEqual(data, {
    other: 'x',
    'checkpointID-0000000000000000002': '{"checkpointId":2,"location":"/chk/job/chk-2","timestamp":1002}',
    'checkpointID-0000000000000000003': '{"checkpointId":3,"location":"/chk/job/chk-3","timestamp":1003}',
    counter: '4',
  });
  // A savepoint moves the counter without a pointer; the counter never goes back.
  assert.equal(withCompleted(data, [p(2), p(3)], 2).counter, '4');
  assert.deepEqual(readPointers(data), { nextCheckpointId: 4, pointers: [p(3), p(2)] });
});

test('reading: no data is a fresh job; the counter is at least past the newest pointer; a foreign value is refused', () => {
  assert.deepEqual(readPointers({}), { nextCheckpointId: 1, pointers: [] });
  assert.equal(readPointers({ [pointerKey(9)]: JSON.stringify(p(9)), counter: '2' }).nextCheckpointId, 10);
  assert.throws(() => readPointers({ [pointerKey(9)]: 'not json' }), /checkpointID-0000000000000000009 is not a checkpoint pointer/);
  assert.throws(() => readPointers({ [pointerKey(8)]: JSON.stringify(p(9)) }), /is not a checkpoint pointer/);
});

test('HA configuration: off by default; kubernetes needs a cluster id; Flink defaults; a fixed job id per cluster', () => {
  assert.equal(parseHaConfig(new Map()), undefined);
  assert.throws(() => parseHaConfig(new Map([['high-availability.type', 'kubernetes']])), /needs high-availability.cluster-id/);
  assert.throws(() => parseHaConfig(new Map([['high-availability.type', 'zookeeper']])), /is not NONE or kubernetes/);
  const ha = parseHaConfig(new Map([['high-availability.type', 'kubernetes'], ['high-availability.cluster-id', 'fraud']]))!;
  assert.deepEqual(ha, { clusterId: 'fraud', storageDir: undefined, leaseDurationMs: 15_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000, jobId: fixedJobId('fraud') });
  assert.match(ha.jobId, /^[0-9a-f]{32}$/);
  assert.notEqual(fixedJobId('fraud'), fixedJobId('other'));
  const given = parseHaConfig(new Map([['high-availability.type', 'KUBERNETES'], ['high-availability.cluster-id', 'fraud'], ['$internal.pipeline.job-id', 'c'.repeat(32)]]))!;
  assert.equal(given.jobId, 'c'.repeat(32));
  assert.equal(clusterConfigMapName('fraud'), 'fraud-cluster-config-map');
  assert.equal(jobConfigMapName('fraud', given.jobId), `fraud-${'c'.repeat(32)}-config-map`);
});
