import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUnsupported, unsupportedFields } from './unsupported-fields.ts';

const job = { entry: '/opt/weir/job/j.ts' };

test('stateless with no snapshot fields: nothing to report', () => {
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job: { ...job, upgradeMode: 'stateless', restartNonce: 3 } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job }), []);
});

test('every field that does nothing yet is named with what happens instead', () => {
  const fields = unsupportedFields({
    image: 'weir:1',
    job: { ...job, upgradeMode: 'last-state', savepointTriggerNonce: 0, checkpointTriggerNonce: 2, initialSavepointPath: 's3://b/sp-1', allowNonRestoredState: false },
  });
  assert.deepEqual(
    fields.map((f) => f.field),
    ['spec.job.upgradeMode', 'spec.job.savepointTriggerNonce', 'spec.job.checkpointTriggerNonce', 'spec.job.initialSavepointPath', 'spec.job.allowNonRestoredState'],
  );
  assert.equal(
    describeUnsupported(fields.slice(0, 1).concat(fields.slice(3, 4))),
    'spec.job.upgradeMode: upgradeMode last-state is not supported yet: this deployment will lose state on upgrade (it is upgraded as stateless); ' +
      'spec.job.initialSavepointPath: initialSavepointPath is not supported yet: the job starts without the state of s3://b/sp-1',
  );
});

test('an autoscaler that would rescale is reported until it can; a metrics-only or disabled one is not', () => {
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job, autoscaler: { enabled: false, targetUtilization: 0.6 } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job, autoscaler: { enabled: true, metricsOnly: true } }), []);
  assert.deepEqual(unsupportedFields({ image: 'weir:1', job, autoscaler: { enabled: true } }).map((f) => f.field), ['spec.autoscaler.enabled']);
});
