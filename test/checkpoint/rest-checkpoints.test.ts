/**
 * The checkpoint and savepoint REST contract, as Flink serves it, over real HTTP with the
 * job in this process: statistics, details, configuration, triggered checkpoints,
 * savepoints, stop-with-savepoint, a restore from the savepoint, and the errors.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, KeyedProcessFunction, ListStateDescriptor, WatermarkStrategy } from '../../src/api/index.ts';
import type { RuntimeContext } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { FileCheckpointStorage } from '../../src/runtime/checkpoint/storage/file-checkpoint-storage.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { findSamples, parsePrometheusText } from '../../src/runtime/metrics/index.ts';
import { eventually } from '../support/eventually.ts';

const dispatcher = new Dispatcher();
const rest = new RestServer(dispatcher, { port: 0 });
let base = '';
let dir = '';
/** The stop-with-savepoint's location, which the last test restores other plans from. */
let stopped = '';

before(async () => {
  base = `http://127.0.0.1:${await rest.listen()}`;
  dir = await mkdtemp(join(tmpdir(), 'weir-rest-checkpoints-'));
});
after(async () => {
  for (const j of dispatcher.list()) if (j.status === 'RUNNING') j.cancel();
  await Promise.all(dispatcher.list().map((j) => j.done));
  await rest.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const r = await fetch(base + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Polls an asynchronous operation until it completed. */
async function completed(path: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const r = await call('GET', path);
    return (r.body.status as { id: string }).id === 'COMPLETED' ? (r.body.operation as Record<string, unknown>) : undefined;
  }, 30_000, `${path} to complete`);
}

const counting = defineJob((env) => {
  env.setJobName('counting');
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => ({ k: i % 3, n: 1 }), Infinity, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks<{ k: number; n: number }>(), 'numbers')
    .uid('numbers')
    .keyBy((r) => r.k)
    .sum('n')
    .uid('counts')
    .sinkTo({ createWriter: () => ({ write: () => {} }) }, 'discard')
    .uid('discard');
});

const config = () => ({ 'execution.checkpointing.interval': '50ms', 'state.checkpoints.dir': join(dir, 'checkpoints'), 'execution.checkpointing.timeout': '30s' });

test('statistics, details and configuration of a job with periodic checkpoints', async () => {
  const job = await dispatcher.submit(counting, { config: config() });
  const cfg = await call('GET', `/jobs/${job.jobId}/checkpoints/config`);
  assert.deepEqual(cfg.body, {
    mode: 'exactly_once',
    interval: 50,
    timeout: 30_000,
    min_pause: 0,
    max_concurrent: 1,
    externalization: { enabled: false, delete_on_cancellation: true },
    tolerable_failed_checkpoints: 0,
    checkpoints_retained: 1,
    checkpoint_storage: 'FileSystemCheckpointStorage',
    state_backend: 'HashMapStateBackend',
    checkpoint_directory: join(dir, 'checkpoints'),
  });
  const stats = await eventually(async () => {
    const r = (await call('GET', `/jobs/${job.jobId}/checkpoints`)).body as { counts: { completed: number }; latest: { completed: Record<string, unknown> | null } };
    return r.counts.completed >= 2 && r.latest.completed ? r : undefined;
  }, 30_000, 'two completed checkpoints');
  const latest = stats.latest.completed!;
  assert.equal(latest.status, 'COMPLETED');
  assert.equal(latest.is_savepoint, false);
  // 2 vertices x parallelism 2.
  assert.equal(latest.num_subtasks, 4);
  assert.equal(latest.num_acknowledged_subtasks, 4);
  assert.equal(latest.external_path, join(dir, 'checkpoints', job.jobId, `chk-${String(latest.id)}`));
  assert.ok((latest.state_size as number) > 0, 'the source positions take room');
  const details = await call('GET', `/jobs/${job.jobId}/checkpoints/details/${String(latest.id)}`);
  assert.deepEqual(Object.keys(details.body.tasks as object).sort(), job.plan.jobGraph.vertices.map((v) => v.id).sort());
  assert.equal((await call('GET', `/jobs/${job.jobId}/checkpoints/details/999999`)).status, 404);

  const samples = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
  const completedGauge = findSamples(samples, 'flink_jobmanager_job_numberOfCompletedCheckpoints', { job_id: job.jobId });
  assert.equal(completedGauge.length, 1);
  assert.ok(completedGauge[0]!.value >= 2);
  assert.deepEqual(findSamples(samples, 'flink_jobmanager_job_lastCheckpointRestoreTimestamp', { job_id: job.jobId }).map((s) => s.value), [-1]);
  assert.equal(findSamples(samples, 'flink_jobmanager_job_lastCompletedCheckpointId', { job_id: job.jobId })[0]!.value >= 2, true);
  // Every task reports how long its last barriers took to align, in nanoseconds (the sources: 0).
  const alignment = findSamples(samples, 'flink_taskmanager_job_task_checkpointAlignmentTime', { job_id: job.jobId });
  assert.equal(alignment.length, 4);
  assert.ok(alignment.every((a) => Number.isInteger(a.value) && a.value >= 0));

  // A checkpoint on request: a request id, then its status.
  const triggered = await call('POST', `/jobs/${job.jobId}/checkpoints`);
  assert.equal(triggered.status, 202);
  const op = await completed(`/jobs/${job.jobId}/checkpoints/${String(triggered.body['request-id'])}`);
  assert.equal(typeof op.checkpointId, 'number');
  assert.equal((await call('POST', `/jobs/${job.jobId}/checkpoints`, { checkpointType: 'INCREMENTAL' })).status, 400);
  job.cancel();
  assert.equal((await job.done).state, 'CANCELED');
  // Cancelled without retention: its checkpoints are gone.
  assert.deepEqual(await readdir(join(dir, 'checkpoints')), []);
});

test('a savepoint, stop-with-savepoint, and a new job restored from the savepoint', async () => {
  const job = await dispatcher.submit(counting, { config: config() });
  await eventually(() => (job.allTasksRunning() ? true : undefined), 30_000, 'the job to run');
  const noTarget = await call('POST', `/jobs/${job.jobId}/savepoints`, {});
  assert.equal(noTarget.status, 400);
  assert.deepEqual(noTarget.body.errors, ['no directory for the savepoint: give a target directory, or set state.savepoints.dir']);
  const bad = await call('POST', `/jobs/${job.jobId}/savepoints`, { 'target-dir': dir });
  assert.equal(bad.status, 400);
  assert.match((bad.body.errors as string[])[0]!, /^unknown field "target-dir"/);

  const sp = await call('POST', `/jobs/${job.jobId}/savepoints`, { 'target-directory': join(dir, 'savepoints') });
  assert.equal(sp.status, 202);
  const location = (await completed(`/jobs/${job.jobId}/savepoints/${String(sp.body['request-id'])}`)).location as string;
  assert.match(location, new RegExp(`^${join(dir, 'savepoints')}/savepoint-${job.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
  const { metadata } = await new FileCheckpointStorage(dir).readMetadata(location);
  assert.equal(metadata.savepoint, true);
  assert.equal(metadata.subtasks.length, 4);
  assert.equal(job.status, 'RUNNING');

  const stop = await call('POST', `/jobs/${job.jobId}/stop`, { targetDirectory: join(dir, 'savepoints') });
  const stoppedAt = (await completed(`/jobs/${job.jobId}/savepoints/${String(stop.body['request-id'])}`)).location as string;
  // As Flink's stop: the job ends FINISHED, not CANCELED.
  const stopResult = await job.done;
  assert.equal(stopResult.state, 'FINISHED', stopResult.error?.stack);
  assert.equal(job.status, 'FINISHED');
  stopped = stoppedAt;
  assert.equal((await call('POST', `/jobs/${job.jobId}/stop`, { targetDirectory: dir })).status, 409);

  const restored = await dispatcher.submit(counting, { config: { ...config(), 'execution.savepoint.path': stoppedAt } });
  const latest = await eventually(async () => {
    const r = (await call('GET', `/jobs/${restored.jobId}/checkpoints`)).body as { latest: { restored: Record<string, unknown> | null } };
    return r.latest.restored ?? undefined;
  }, 30_000, 'the restore in the statistics');
  assert.equal(latest.is_savepoint, true);
  assert.equal(latest.external_path, stoppedAt);
  await eventually(() => (restored.allTasksRunning() ? true : undefined), 30_000, 'the restored job to run');
  restored.cancel();
  await restored.done;
});

test('a savepoint path that does not exist, or that holds state of operators the job lacks, fails the job with a clear error', async () => {
  const missing = await dispatcher.submit(counting, { config: { ...config(), 'execution.savepoint.path': join(dir, 'nope') } });
  const r = await missing.done;
  assert.equal(r.state, 'FAILED');
  assert.equal(r.error?.code, 'CHECKPOINT_NOT_FOUND');
  assert.equal(r.error?.message, `no checkpoint or savepoint at ${join(dir, 'nope')}: the path does not exist`);
  assert.equal(missing.numRestarts, 0);

  const withUid = (uid: string, maxParallelism = 128) =>
    defineJob((env) => {
      env.setParallelism(2);
      env.setMaxParallelism(maxParallelism);
      env
        .fromSource(new DataGeneratorSource((i) => ({ k: i % 3, n: 1 }), Infinity, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks<{ k: number; n: number }>(), 'numbers')
        .uid('numbers')
        .keyBy((r) => r.k)
        .sum('n')
        .uid(uid)
        .sinkTo({ createWriter: () => ({ write: () => {} }) }, 'discard')
        .uid('discard');
    });
  const unclaimed = await (await dispatcher.submit(withUid('renamed'), { config: { ...config(), 'execution.savepoint.path': stopped } })).done;
  assert.equal(unclaimed.error?.code, 'STATE_NOT_RESTORED');
  assert.match(unclaimed.error!.message, /holds state for operator\(s\) "counts", which the job no longer has/);
  const allowed = await dispatcher.submit(withUid('renamed'), { config: { ...config(), 'execution.savepoint.path': stopped, 'execution.savepoint.ignore-unclaimed-state': 'true' } });
  await eventually(() => (allowed.allTasksRunning() ? true : undefined), 30_000, 'the job to run without the unclaimed state');
  allowed.cancel();
  await allowed.done;
  const rekeyed = await (await dispatcher.submit(withUid('counts', 64), { config: { ...config(), 'execution.savepoint.path': stopped } })).done;
  assert.equal(rekeyed.error?.code, 'MAX_PARALLELISM_MISMATCH');

  // The operator "counts" is now a process function reading the rolling sum's state as a list.
  class ReadsAsList extends KeyedProcessFunction<number, { k: number; n: number }, never> {
    override open(ctx: RuntimeContext): void {
      ctx.getListState(new ListStateDescriptor<number>('_rolling_reduce'));
    }
    processElement(): void {}
  }
  const reshaped = defineJob((env) => {
    env.setParallelism(2);
    env
      .fromSource(new DataGeneratorSource((i) => ({ k: i % 3, n: 1 }), Infinity, { recordsPerSecond: 2000 }), WatermarkStrategy.noWatermarks<{ k: number; n: number }>(), 'numbers')
      .uid('numbers')
      .keyBy((r) => r.k)
      .process(new ReadsAsList())
      .uid('counts')
      .sinkTo({ createWriter: () => ({ write: () => {} }) }, 'discard')
      .uid('discard');
  });
  const kindChanged = await (await dispatcher.submit(reshaped, { config: { ...config(), 'execution.savepoint.path': stopped, 'restart-strategy.type': 'none' } })).done;
  assert.equal(kindChanged.state, 'FAILED');
  assert.equal(kindChanged.error?.code, 'STATE_KIND_MISMATCH');
  assert.match(kindChanged.error!.message, /^operator "KeyedProcess" \(uid "counts"\), subtask [12]\/2, failed: state "_rolling_reduce" was restored as value state and is now requested as list state/);
});
