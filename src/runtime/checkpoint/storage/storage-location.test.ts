import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childLocation, normalizeLocation, schemeOf } from './storage-location.ts';

test('locations: paths and file:// are files, s3:// is S3, other schemes are refused naming the key', () => {
  assert.equal(schemeOf('/var/weir'), 'file');
  assert.equal(schemeOf('file:///var/weir'), 'file');
  assert.equal(schemeOf('S3://bucket/p'), 's3');
  assert.equal(normalizeLocation('file:///var/weir'), '/var/weir');
  assert.equal(normalizeLocation('s3://bucket/p'), 's3://bucket/p');
  assert.throws(() => schemeOf('gs://b/p', 'state.checkpoints.dir'), {
    code: 'INVALID_CONFIGURATION',
    message: 'state.checkpoints.dir: "gs://b/p" is not a supported location: checkpoints are stored on file systems (file:// or a path) or S3 (s3://bucket/prefix)',
  });
});

test('a child of a location keeps its scheme', () => {
  assert.equal(childLocation('/var/weir/', 'job'), '/var/weir/job');
  assert.equal(childLocation('s3://bucket/prefix/', 'job'), 's3://bucket/prefix/job');
  assert.equal(childLocation('s3://bucket', 'job'), 's3://bucket/job');
});
