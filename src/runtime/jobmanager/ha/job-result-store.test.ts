import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeJobResult, encodeJobResult, jobResultStoreLocation, openJobResultStore } from './job-result-store.ts';
import type { JobResultRecord } from './job-result-store.ts';

const JOB = 'ab'.repeat(16);
const finished: JobResultRecord = { jobId: JOB, name: 'counts', status: 'FINISHED', startTime: 1000, endTime: 4500 };

test("entries are Flink's JSON plus what Weir reports, and read back as written", () => {
  assert.equal(
    encodeJobResult(finished),
    `{"result":{"id":"${JOB}","application-status":"SUCCEEDED","net-runtime":3500,"name":"counts","job-status":"FINISHED","start-time":1000,"end-time":4500},"version":1}\n`,
  );
  const failed: JobResultRecord = { ...finished, status: 'FAILED', failure: { code: 'USER_FUNCTION_FAILED', message: 'boom' } };
  assert.deepEqual(decodeJobResult(encodeJobResult(failed), 'x'), failed);
  assert.match(JSON.parse(encodeJobResult({ ...finished, status: 'CANCELED' })).result['application-status'] as string, /^CANCELED$/);
  assert.throws(() => decodeJobResult('{"result":{"id":"x","job-status":"RUNNING"}}', '/r/x.json'), { code: 'HA_METADATA_INVALID', message: /\/r\/x\.json is not a job result/ });
  assert.throws(() => decodeJobResult('not json', '/r/y.json'), { code: 'HA_METADATA_INVALID' });
});

test('the location: job-result-store.storage-path, else <storageDir>/job-result-store/<cluster-id>, else none', () => {
  assert.equal(jobResultStoreLocation(new Map(), 'file:///ha', 'fraud'), '/ha/job-result-store/fraud');
  assert.equal(jobResultStoreLocation(new Map(), 's3://bucket/ha', 'fraud'), 's3://bucket/ha/job-result-store/fraud');
  assert.equal(jobResultStoreLocation(new Map([['job-result-store.storage-path', 'file:///results']]), 's3://bucket/ha', 'fraud'), '/results');
  assert.equal(jobResultStoreLocation(new Map(), undefined, 'fraud'), undefined);
});

test('on files: nothing, then dirty, then clean; the dirty file goes when the clean one comes', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'weir-jrs-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const dir = join(base, 'job-result-store', 'fraud');
  const store = openJobResultStore(dir, new Map());
  assert.equal(await store.get(JOB), undefined);
  await store.createDirty(finished);
  assert.deepEqual(await readdir(dir), [`${JOB}_DIRTY.json`]);
  assert.deepEqual(await store.get(JOB), { record: finished, clean: false });
  await store.markClean(JOB);
  assert.deepEqual(await readdir(dir), [`${JOB}.json`]);
  assert.equal(await readFile(join(dir, `${JOB}.json`), 'utf8'), encodeJobResult(finished));
  assert.deepEqual(await store.get(JOB), { record: finished, clean: true });
  assert.equal(await store.get('cd'.repeat(16)), undefined);
  await writeFile(join(dir, `${'ef'.repeat(16)}.json`), '{}');
  await assert.rejects(store.get('ef'.repeat(16)), { code: 'HA_METADATA_INVALID' });
  await assert.rejects(store.markClean('cd'.repeat(16)), { code: 'HA_WRITE_FAILED', retriable: true });
  store.close();
});
