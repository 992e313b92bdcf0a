/**
 * The exactly-once file sink on S3: a checkpoint interval's records are one multipart upload
 * that no listing shows until its checkpoint completes; after a failure and a restore
 * (checkpoints on S3 as well), the visible objects hold every record once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob, WatermarkStrategy } from '../../src/api/index.ts';
import type { SinkWriterContext } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { FileSink } from '../../src/connectors/file/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

let s3: S3TestServer;
before(async () => (s3 = await S3TestServer.start(['weir'])));
after(() => s3.close());

/** Every line of the objects under `prefix`, with the objects' names. */
async function visible(prefix: string): Promise<{ names: string[]; lines: string[] }> {
  const o = s3.objects();
  try {
    const { keys } = await o.list('weir', prefix);
    const lines: string[] = [];
    for (const k of keys) lines.push(...Buffer.from((await o.get('weir', k))!).toString('utf8').split('\n').filter((l) => l !== ''));
    return { names: keys.map((k) => k.slice(prefix.length)), lines };
  } finally {
    o.close();
  }
}

test('records of a checkpoint interval become visible, as one object, only when the checkpoint completes', async () => {
  const sink = new FileSink<string>('s3://weir/direct', { exactlyOnce: true });
  const ctx: SinkWriterContext = { subtaskIndex: 3, parallelism: 4, taskName: 'files', jobParameters: {}, configuration: new Map(Object.entries(s3.config())), addToResult: () => undefined, restoredState: [] };
  const writer = sink.createWriter(ctx);
  await writer.write(['a', 'b'], [NaN, NaN]);
  await writer.write(['c'], [NaN]);
  const state = await writer.snapshotState!(1);
  assert.deepEqual(await visible('direct/'), { names: [], lines: [] });
  await writer.write(['d'], [NaN]);
  await writer.notifyCheckpointComplete!(1);
  const done = await visible('direct/');
  assert.deepEqual(done.lines, ['a', 'b', 'c']);
  assert.match(done.names.join(), /^part-3-[0-9a-f]{8}-0\.txt$/);
  // A writer restored from that checkpoint commits it again: nothing changes.
  const restored = sink.createWriter({ ...ctx, restoredState: state });
  await restored.close!();
  await writer.close!();
  assert.deepEqual((await visible('direct/')).lines, ['a', 'b', 'c']);
});

test('a checkpoint interval larger than a part goes up in several parts and appears whole', async () => {
  const sink = new FileSink<string>('s3://weir/large', { exactlyOnce: true });
  const ctx: SinkWriterContext = { subtaskIndex: 0, parallelism: 1, taskName: 'files', jobParameters: {}, configuration: new Map(Object.entries(s3.config())), addToResult: () => undefined, restoredState: [] };
  const writer = sink.createWriter(ctx);
  // 10 batches of 1000 lines of 1000 characters: about 10 MB, more than one 8 MB part.
  const lines = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(995)}`);
  for (let b = 0; b < 10; b++) await writer.write(lines.slice(b * 1000, (b + 1) * 1000), []);
  const [log] = (await writer.snapshotState!(1)) as { pending: [number, { parts: unknown[] }][] }[];
  assert.equal(log!.pending[0]![1].parts.length, 2);
  assert.deepEqual((await visible('large/')).names, []);
  await writer.notifyCheckpointComplete!(1);
  await writer.close!();
  const done = await visible('large/');
  assert.equal(done.names.length, 1);
  assert.deepEqual(done.lines, lines);
});

const RECORDS = 6000;
const fault = { armed: false, fired: 0 };

const sinkJob = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 3000 }), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i) => {
      if (fault.armed) {
        fault.armed = false;
        fault.fired++;
        throw new Error('injected failure');
      }
      return i;
    })
    .uid('pass')
    .rebalance()
    .sinkTo(new FileSink<number>('s3://weir/out', { exactlyOnce: true }), 'files')
    .uid('files');
});

test('after a failure and a restore from S3, the visible objects hold every record once', async () => {
  const master = await new Dispatcher().submit(sinkJob, {
    config: {
      ...s3.config(),
      'execution.checkpointing.interval': '100ms',
      'state.checkpoints.dir': 's3://weir/checkpoints',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '2',
      'restart-strategy.fixed-delay.delay': '10ms',
    },
  });
  await eventually(() => (master.checkpoints.stats.completed >= 3 ? true : undefined), 30_000, 'three completed checkpoints', () => master.checkpoints.stats.lastFailed?.failureMessage);
  const before = (await visible('out/')).lines;
  assert.ok(before.length > 0 && before.length < RECORDS, `${before.length} records visible before the failure`);
  fault.armed = true;
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(fault.fired, 1);
  const lines = (await visible('out/')).lines.map(Number).sort((a, b) => a - b);
  assert.deepEqual(lines, Array.from({ length: RECORDS }, (_, i) => i));
});
