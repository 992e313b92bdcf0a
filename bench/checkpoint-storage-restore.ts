/**
 * Restore time of 1M keys of ValueState (one subtask) from each checkpoint storage: the same
 * checkpoint taken to a local directory (file://) and to S3 (s3rver on 127.0.0.1, in its own
 * process), then a new job restored from it until its tasks run.
 *
 *   node --import tsx bench/checkpoint-storage-restore.ts [--keys 1000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { Dispatcher } from '../src/runtime/jobmanager/dispatcher.ts';
import { S3TestServer } from '../test/support/s3/s3-test-server.ts';
import { Remember } from './checkpointing.ts';
import { intFlag, isMain } from './support/args.ts';
import { fmtRate, machineLine } from './support/report.ts';

/** A checkpoint of `keys` keys to `dir`, then the time from submitting a job restoring from it to its tasks running. */
async function restoreTime(keys: number, dir: string, extra: Record<string, string>): Promise<{ bytes: number; restoreMs: number }> {
  const job = defineJob((env) => {
    env.setParallelism(1);
    env.fromSource(new DataGeneratorSource((i) => i % keys, Infinity), WatermarkStrategy.noWatermarks<number>(), 'keys').uid('keys').keyBy((k) => k).process(new Remember()).uid('state').sinkTo({ createWriter: () => ({ write: () => {} }) }, 'none').uid('none');
  });
  const config = { ...extra, 'state.checkpoints.dir': dir, 'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION', 'execution.checkpointing.timeout': '10min' };
  const first = await new Dispatcher().submit(job, { config });
  while ((first.vertexMetrics()[0]?.recordsOut ?? 0) < keys) await new Promise((r) => setTimeout(r, 50));
  const checkpoint = await first.checkpoints.trigger();
  const bytes = first.checkpoints.stats.find(checkpoint.id)!.stateSize;
  first.cancel();
  await first.done;
  const started = performance.now();
  const second = await new Dispatcher().submit(job, { config: { ...config, 'execution.savepoint.path': checkpoint.dir } });
  while (!second.allTasksRunning()) await new Promise((r) => setTimeout(r, 10));
  const restoreMs = performance.now() - started;
  second.cancel();
  await second.done;
  return { bytes, restoreMs };
}

export async function checkpointStorageRestoreReport(keys: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-restore-'));
  const s3 = await S3TestServer.start(['weir']);
  try {
    const file = await restoreTime(keys, `file://${dir}`, {});
    const remote = await restoreTime(keys, 's3://weir/checkpoints', s3.config());
    return [
      `restore of ${fmtRate(keys)} keys of ValueState (${(file.bytes / 1024 / 1024).toFixed(1)} MB checkpoint) to running: file:// ${file.restoreMs.toFixed(0)}ms, s3:// (s3rver on 127.0.0.1) ${remote.restoreMs.toFixed(0)}ms`,
      machineLine(),
    ];
  } finally {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  for (const line of await checkpointStorageRestoreReport(intFlag('keys', 1_000_000))) console.log(line);
}
