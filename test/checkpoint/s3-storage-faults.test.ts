/**
 * S3 when things go wrong: credentials S3 refuses and a bucket that does not exist give
 * errors naming the bucket and the cause (never the secret); an endpoint that goes away fails
 * checkpoints, retriably, while the job goes on processing, and checkpoints succeed again
 * once it is back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { openCheckpointStorage } from '../../src/runtime/checkpoint/storage/open-checkpoint-storage.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

let s3: S3TestServer;
before(async () => (s3 = await S3TestServer.start(['weir'])));
after(() => s3.close());

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; retriable: boolean }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string; retriable: boolean };
  }
  assert.fail('expected a failure');
}

test('credentials S3 refuses: the error names the bucket and the cause, and not the secret', async () => {
  const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
  const storage = openCheckpointStorage('s3://weir/chk', new Map(Object.entries(s3.config({ 's3.access-key': 'AKIDNOTKNOWN', 's3.secret-key': secret }))));
  try {
    const err = await failure(storage.writeStateFile('s3://weir/chk/job/chk-1', 'v-0.keys', new Uint8Array([1])));
    assert.deepEqual(
      { code: err.code, retriable: err.retriable, message: err.message },
      {
        code: 'STORAGE_ACCESS_DENIED',
        retriable: false,
        message: `cannot write s3://weir/chk/job/chk-1/v-0.keys: access to bucket "weir" at ${s3.endpoint} was denied (InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.); check s3.access-key and s3.secret-key, or the credentials the default chain finds`,
      },
    );
    assert.ok(!JSON.stringify(err).includes(secret) && !String((err as { stack?: string }).stack).includes(secret));
    const read = await failure(storage.readMetadata('s3://weir/chk/job/chk-1'));
    assert.equal(read.code, 'STORAGE_ACCESS_DENIED');
  } finally {
    storage.close();
  }
});

test('a bucket that does not exist: a clear error naming it', async () => {
  const storage = openCheckpointStorage('s3://no-such-bucket/chk', new Map(Object.entries(s3.config())));
  try {
    const err = await failure(storage.writeMetadata('s3://no-such-bucket/chk/job/chk-1', { jobId: 'job', checkpointId: 1, timestamp: 0, savepoint: false, subtasks: [] }));
    assert.deepEqual(
      { code: err.code, retriable: err.retriable, message: err.message },
      { code: 'STORAGE_BUCKET_NOT_FOUND', retriable: false, message: `cannot write s3://no-such-bucket/chk/job/chk-1/_metadata: bucket "no-such-bucket" does not exist at ${s3.endpoint}; create it, or fix the location` },
    );
    assert.equal((await failure(storage.initJob('job'))).code, 'STORAGE_BUCKET_NOT_FOUND');
  } finally {
    storage.close();
  }
});

const progress = { records: 0 };

const counting = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, 10_000_000, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => {
      progress.records++;
      return { key: i % 4, count: 1 };
    })
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .sinkTo({ createWriter: () => ({ write: () => undefined }) }, 'discard')
    .uid('discard');
});

test('S3 down: checkpoints fail retriably while records flow; S3 back: checkpoints succeed again, with no restart', async () => {
  const master = await new Dispatcher().submit(counting, {
    config: { ...s3.config(), 'state.checkpoints.dir': 's3://weir/running', 'execution.checkpointing.interval': '100ms', 'execution.checkpointing.tolerable-failed-checkpoints': '1000000' },
  });
  const stats = master.checkpoints.stats;
  try {
    await eventually(() => (stats.completed >= 2 ? true : undefined), 30_000, 'two checkpoints on S3', () => stats.lastFailed?.failureMessage);
    await s3.stop();
    const failedBefore = stats.failed;
    await eventually(() => (stats.failed >= failedBefore + 2 ? true : undefined), 30_000, 'checkpoints to fail while S3 is down', () => stats.failed);
    assert.match(stats.lastFailed!.failureMessage!, new RegExp(`the S3 endpoint ${s3.endpoint.replaceAll('.', '\\.')} cannot be reached \\(ECONNREFUSED\\)`));
    const recordsWhileDown = progress.records;
    await eventually(() => (progress.records > recordsWhileDown + 200 ? true : undefined), 30_000, 'records to flow while S3 is down', () => progress.records);
    await s3.start();
    const completedBefore = stats.completed;
    await eventually(() => (stats.completed >= completedBefore + 2 ? true : undefined), 30_000, 'checkpoints to succeed again', () => stats.lastFailed?.failureMessage);
    assert.equal(master.status, 'RUNNING');
    assert.equal(master.numRestarts, 0);
    // num-retained 1: on S3, the newest checkpoint, and those whose deletion S3 refused while down (each reported).
    // While S3 was down, deleting subsumed and aborted checkpoints failed too: reported, never fatal.
    for (const w of master.warnings) assert.match(w, /^could not delete s3:\/\/weir\/running\/[0-9a-f]{32}\/chk-\d+: /);
  } finally {
    master.cancel();
    await master.done;
  }
});

const fault = { armed: false };
const BOUNDED = 6000;

const boundedCounts = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, BOUNDED, { recordsPerSecond: 3000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => {
      if (fault.armed) {
        fault.armed = false;
        throw new Error('injected failure');
      }
      return { key: i % 3, count: 1 };
    })
    .uid('ones')
    .keyBy((r) => r.key)
    .sum('count')
    .uid('counts')
    .collect('counts');
});

test('S3 down when the job restarts: restores fail and are retried, no checkpoint is dropped, and the job resumes from S3 once it is back', async () => {
  const master = await new Dispatcher().submit(boundedCounts, {
    config: {
      ...s3.config({ 's3.max-attempts': '1' }),
      'state.checkpoints.dir': 's3://weir/restarts',
      'execution.checkpointing.interval': '100ms',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '1000',
      'restart-strategy.fixed-delay.delay': '50ms',
    },
  });
  const stats = master.checkpoints.stats;
  await eventually(() => (stats.completed >= 2 ? true : undefined), 30_000, 'two checkpoints on S3', () => stats.lastFailed?.failureMessage);
  await s3.stop();
  fault.armed = true;
  await eventually(() => (master.exceptions.filter((e) => e.code === 'CHECKPOINT_STORAGE_FAILED').length >= 2 ? true : undefined), 30_000, 'restores to fail while S3 is down', () => master.exceptions.map((e) => e.code));
  await s3.start();
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual(master.exceptions.filter((e) => e.code === 'CORRUPT_CHECKPOINT'), []);
  assert.ok(stats.lastRestore !== undefined && !stats.lastRestore.isSavepoint, 'restored from a checkpoint on S3');
  const counts = result.collected.get('counts') as { key: number; count: number }[];
  for (let key = 0; key < 3; key++) {
    const seen = counts.filter((c) => c.key === key).map((c) => c.count);
    // The last attempt went on from the restored count, up to the key's total.
    assert.ok(seen[0]! > 1, `key ${key} started from restored state, first count ${seen[0]}`);
    assert.equal(Math.max(...seen), BOUNDED / 3);
  }
});
