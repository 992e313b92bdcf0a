import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseS3Settings } from './s3-settings.ts';
import { parseS3Uri } from './s3-uri.ts';

const parse = (entries: Record<string, string>) => parseS3Settings(new Map(Object.entries(entries)));

test('s3.* keys: endpoint, path style, region, static credentials and retries', () => {
  assert.deepEqual(parse({ 's3.endpoint': 'http://127.0.0.1:9000', 's3.path.style.access': 'true', 's3.region': 'eu-west-1', 's3.access-key': 'AK', 's3.secret-key': 'SK', 's3.max-attempts': '5' }), {
    endpoint: 'http://127.0.0.1:9000',
    pathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    maxAttempts: 5,
  });
  const defaults = parse({ 's3.region': 'us-west-2' });
  assert.deepEqual(defaults, { endpoint: undefined, pathStyle: false, region: 'us-west-2', credentials: undefined, maxAttempts: 3 });
});

test('bad s3.* keys are refused, never echoing a secret', () => {
  assert.throws(() => parse({ 's3.access-key': 'AK' }), { code: 'INVALID_CONFIGURATION', message: 's3.secret-key: set both s3.access-key and s3.secret-key, or neither (to use the default credential chain)' });
  assert.throws(() => parse({ 's3.secret-key': 'very-secret' }), (err: Error) => err.message.startsWith('s3.access-key: set both') && !err.message.includes('very-secret'));
  assert.throws(() => parse({ 's3.path.style.access': 'yes' }), { message: 's3.path.style.access: "yes" is not true or false' });
  assert.throws(() => parse({ 's3.endpoint': '127.0.0.1:9000' }), { message: 's3.endpoint: "127.0.0.1:9000" is not an http:// or https:// URL' });
  assert.throws(() => parse({ 's3.max-attempts': '0' }), { message: 's3.max-attempts: "0" is not a whole number >= 1' });
});

test('s3:// URIs as bucket and key', () => {
  assert.deepEqual(parseS3Uri('s3://bucket/a/b/'), { bucket: 'bucket', key: 'a/b' });
  assert.deepEqual(parseS3Uri('s3://bucket'), { bucket: 'bucket', key: '' });
  assert.throws(() => parseS3Uri('s3:///nobucket'), { code: 'INVALID_CONFIGURATION' });
});
