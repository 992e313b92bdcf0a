import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUnsupported, unsupportedFields } from './unsupported-fields.ts';

const job = { entry: '/opt/weir/job/j.ts' };

test('the snapshot and upgrade fields are acted on: none is reported as unsupported', () => {
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job: { ...job, upgradeMode: 'last-state', savepointTriggerNonce: 0, checkpointTriggerNonce: 2, initialSavepointPath: 's3://b/sp-1', allowNonRestoredState: false } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job }), []);
});

test('unsupported fields are described in one message, in order', () => {
  assert.equal(describeUnsupported([{ field: 'spec.a', consequence: 'x' }, { field: 'spec.b', consequence: 'y' }]), 'spec.a: x; spec.b: y');
});

test('an autoscaler that rescales is supported in a stateful upgrade mode; with stateless (which would drop state) it is reported and only reports', () => {
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job, autoscaler: { enabled: false, targetUtilization: 0.6 } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job, autoscaler: { enabled: true, metricsOnly: true } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job: { ...job, upgradeMode: 'savepoint' }, autoscaler: { enabled: true } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job: { ...job, upgradeMode: 'last-state' }, autoscaler: { enabled: true } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job, autoscaler: { enabled: true } }).map((f) => f.field), ['spec.autoscaler.enabled']);
  // Fixed TaskManagers bound the autoscaler to their slots.
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job: { ...job, upgradeMode: 'savepoint' }, taskManager: { replicas: 2 }, autoscaler: { enabled: true } }).map((f) => f.field), ['spec.taskManager.replicas']);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job: { ...job, upgradeMode: 'savepoint' }, taskManager: { replicas: 2 } }), []);
});
