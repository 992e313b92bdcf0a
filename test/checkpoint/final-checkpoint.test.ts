/**
 * The final checkpoint after the end of input (FLIP-147): a bounded job with checkpointing
 * on commits what its exactly-once sink wrote last only once a checkpoint taken after the
 * end completed, and takes that checkpoint at once instead of waiting out a long interval;
 * in one process and on a cluster, where the tasks tell the JobManager their input ended
 * through the TaskManagers' reports.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineJob, TwoPhaseCommitSink, WatermarkStrategy } from '../../src/api/index.ts';
import { DataGeneratorSource } from '../../src/connectors/datagen/index.ts';
import { buildJobPlan } from '../../src/runtime/graph/job-plan.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { TaskManager } from '../../src/runtime/taskmanager/task-manager.ts';
import { KEYS } from '../fixtures/jobs/exactly-once-sequences.ts';
import { eventually } from '../support/eventually.ts';

/** Per key, the sums the sink committed, and how many checkpoints had completed at each commit. */
const committed: [key: number, sum: number][] = [];
const completedAtCommit: number[] = [];
let master: JobMaster | undefined;

class RecordingSink extends TwoPhaseCommitSink<[number, number], [number, number][]> {
  protected beginTransaction(): [number, number][] {
    return [];
  }
  protected write(txn: [number, number][], values: readonly [number, number][]): void {
    txn.push(...values);
  }
  protected preCommit(): void {}
  protected commit(txn: [number, number][]): void {
    committed.push(...txn);
    completedAtCommit.push(master?.checkpoints.stats.completed ?? -1);
  }
  protected abort(): void {}
}

const RECORDS = 1000;

const job = defineJob((env) => {
  env.setParallelism(2);
  env
    .fromSource(new DataGeneratorSource((i) => i, RECORDS), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map((i): [number, number] => [i % 5, i])
    .keyBy(([k]) => k)
    .reduce(([k, a], [, b]) => [k, a + b])
    .uid('sums')
    .sinkTo(new RecordingSink(), 'recording')
    .uid('recording');
});

test('a bounded job commits its last transaction on the final checkpoint, taken at once after the end of input', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-final-checkpoint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // An interval no test waits out: the final checkpoint is taken because every task ended.
  const plan = await buildJobPlan(job, { config: { 'execution.checkpointing.interval': '1h', 'state.checkpoints.dir': dir } });
  master = new JobMaster(plan);
  master.start();
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(master.checkpoints.stats.completed, 1, 'the final checkpoint');
  // Every running sum was committed once, after that checkpoint completed.
  assert.equal(committed.length, RECORDS);
  assert.ok(completedAtCommit.every((n) => n === 1), `commits happened with ${completedAtCommit.join(', ')} checkpoints completed`);
  const last = new Map<number, number>();
  for (const [k, sum] of committed) last.set(k, Math.max(last.get(k) ?? 0, sum));
  const expected = new Map<number, number>();
  for (let i = 0; i < RECORDS; i++) expected.set(i % 5, (expected.get(i % 5) ?? 0) + i);
  assert.deepEqual([...last].sort(([a], [b]) => a - b), [...expected].sort(([a], [b]) => a - b));
});

const registry = new TaskManagerRegistry(100, 1500);
const dispatcher = new Dispatcher({ registry, slotWaitMs: 30_000 });
const rest = new RestServer(dispatcher, { port: 0 });
const taskManagers: TaskManager[] = [];
const stopExpiry = registry.startExpiry();

after(async () => {
  stopExpiry();
  await Promise.all(taskManagers.map((tm) => tm.stop()));
  await rest.close();
});

test('on a cluster, the final checkpoint is taken once every subtask reported its end, and the exactly-once files hold each record once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-final-checkpoint-cluster-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${await rest.listen()}`;
  for (let i = 0; i < 2; i++) {
    const tm = new TaskManager({ jobManagerUrl: url, slots: 2, bufferTimeoutMs: 0 });
    await tm.start();
    taskManagers.push(tm);
  }
  const jobPath = resolve('test/fixtures/jobs/exactly-once-sequences.ts');
  const out = join(dir, 'out');
  const records = 400;
  const cluster = await dispatcher.submit(await loadJob(jobPath), {
    parallelism: 2,
    jobPath,
    args: { records: String(records), rate: '1000000', out },
    config: { 'execution.checkpointing.interval': '1h', 'state.checkpoints.dir': join(dir, 'checkpoints') },
  });
  const result = await cluster.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.equal(cluster.checkpoints.stats.completed, 1, 'the final checkpoint');
  const visible = (await readdir(out)).filter((f) => !f.startsWith('.'));
  const lines = (await Promise.all(visible.map((f) => readFile(join(out, f), 'utf8')))).flatMap((s) => s.split('\n').filter((l) => l !== ''));
  const seqs = lines.filter((l) => l.startsWith('seq,'));
  assert.equal(seqs.length, records);
  assert.equal(new Set(seqs).size, records, 'no record twice');
  // Each key's last count is its number of records.
  for (let k = 0; k < KEYS; k++) assert.ok(seqs.includes(`seq,${k},${records / KEYS - 1},${records / KEYS}`), `key ${k} counted to ${records / KEYS}`);
});

test('a stop with drain while a bounded source waits for its final checkpoint and another source reads on: the savepoint completes and the job finishes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-final-checkpoint-stop-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seen: string[] = [];
  const mixed = defineJob((env) => {
    env.setParallelism(1);
    const bounded = env.fromSource(new DataGeneratorSource((i) => `b${i}`, 10), WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner(() => 0), 'bounded').uid('bounded');
    const endless = env.fromSource(new DataGeneratorSource((i) => `e${i}`, Number.MAX_SAFE_INTEGER, { recordsPerSecond: 200 }), WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner(() => 0), 'endless').uid('endless');
    bounded.union(endless).sinkTo({ createWriter: () => ({ write: (values: readonly string[]) => void seen.push(...values) }) }, 'seen').uid('seen');
  });
  const plan = await buildJobPlan(mixed, { config: { 'execution.checkpointing.interval': '1h', 'state.checkpoints.dir': join(dir, 'checkpoints') } });
  const job2 = new JobMaster(plan);
  job2.start();
  t.after(async () => {
    if (job2.status === 'RUNNING') job2.cancel();
    await job2.done;
  });
  await eventually(() => (seen.filter((v) => v.startsWith('b')).length === 10 && seen.some((v) => v.startsWith('e')) ? true : undefined), 30_000, 'the bounded input read, the endless one reading', () => seen.length);
  await job2.savepoint(join(dir, 'savepoints'), 'drain');
  const result = await job2.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual(job2.exceptions, []);
});
