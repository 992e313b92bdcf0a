import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSpec } from './validate-spec.ts';

const base = { image: 'weir:1', job: { entry: '/opt/weir/job/j.ts' } };

test('autoscaler durations must parse and min must not exceed max, each named', () => {
  assert.deepEqual(validateSpec({ ...base, autoscaler: { enabled: true, catchUpDuration: '10 min', metricsWindow: '90s', minParallelism: 2, maxParallelism: 8 } }), []);
  assert.deepEqual(validateSpec({ ...base, autoscaler: { scaleDownDelay: '1 fortnight', minParallelism: 9, maxParallelism: 8 } }), [
    { field: 'spec.autoscaler.scaleDownDelay', reason: '"1 fortnight" is not a duration; write e.g. "30s", "5 min" or "1h"' },
    { field: 'spec.autoscaler.minParallelism', reason: '9 is above maxParallelism 8; lower it or raise maxParallelism' },
  ]);
});
