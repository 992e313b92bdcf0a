import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { runtimeConfiguration } from './runtime-config.ts';

const spec = (configuration: Record<string, string>): StreamDeploymentSpec => ({ image: 'weir:test', job: { entry: 'job.ts' }, configuration });
const HA = { 'high-availability.type': 'kubernetes', 'high-availability.storageDir': 's3://bucket/ha/' };

test('each deployment of a job with HA and a storage directory gets a job result store of its own', () => {
  const first = runtimeConfiguration(spec(HA), 'fraud', undefined, '0123456789abcdef');
  assert.equal(first['job-result-store.storage-path'], 's3://bucket/ha/job-result-store/fraud/0123456789abcdef');
  assert.equal(runtimeConfiguration(spec(HA), 'fraud', undefined, 'fedcba9876543210')['job-result-store.storage-path'], 's3://bucket/ha/job-result-store/fraud/fedcba9876543210');
  // The user's own choice stands; without HA or a storage directory there is none.
  assert.equal(runtimeConfiguration(spec({ ...HA, 'job-result-store.storage-path': 'file:///results' }), 'fraud', undefined, 'x')['job-result-store.storage-path'], 'file:///results');
  assert.equal(runtimeConfiguration(spec({ 'high-availability.type': 'kubernetes' }), 'fraud', undefined, 'x')['job-result-store.storage-path'], undefined);
  assert.equal(runtimeConfiguration(spec({ 'high-availability.storageDir': '/ha' }), 'fraud', undefined, 'x')['job-result-store.storage-path'], undefined);
});
