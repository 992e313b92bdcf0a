/** The job result store on S3 (s3rver): dirty, then clean, with the dirty object gone; the same JSON as on files. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeJobResult, jobResultStoreLocation, openJobResultStore } from '../../src/runtime/jobmanager/ha/job-result-store.ts';
import type { JobResultRecord } from '../../src/runtime/jobmanager/ha/job-result-store.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

const JOB = 'ab'.repeat(16);
const failed: JobResultRecord = { jobId: JOB, name: 'counts', status: 'FAILED', startTime: 1000, endTime: 2000, failure: { code: 'USER_FUNCTION_FAILED', message: 'boom' } };
let s3: S3TestServer;

before(async () => {
  s3 = await S3TestServer.start(['weir']);
});
after(() => s3.close());

test('on S3: nothing, then dirty, then clean under <storageDir>/job-result-store/<cluster-id>', async () => {
  const config = new Map(Object.entries(s3.config({ 's3.max-attempts': '1' })));
  const location = jobResultStoreLocation(config, 's3://weir/ha', 'fraud')!;
  const store = openJobResultStore(location, config);
  const objects = s3.objects();
  try {
    assert.equal(await store.get(JOB), undefined);
    await store.createDirty(failed);
    assert.deepEqual((await objects.list('weir', 'ha/')).keys, [`ha/job-result-store/fraud/${JOB}_DIRTY.json`]);
    assert.deepEqual(await store.get(JOB), { record: failed, clean: false });
    await store.markClean(JOB);
    assert.deepEqual((await objects.list('weir', 'ha/')).keys, [`ha/job-result-store/fraud/${JOB}.json`]);
    assert.equal(new TextDecoder().decode(await objects.get('weir', `ha/job-result-store/fraud/${JOB}.json`)), encodeJobResult(failed));
    assert.deepEqual(await store.get(JOB), { record: failed, clean: true });
  } finally {
    store.close();
    objects.close();
  }
});
