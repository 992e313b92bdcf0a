/**
 * Kafka -> keyed state -> Kafka on a local cluster (a JobManager and two TaskManager
 * processes) while TaskManagers are killed with SIGKILL and replaced, and input keeps
 * arriving. A read_committed consumer of the output sees every step of every key exactly
 * once, with the count an uninterrupted run gives; with AT_LEAST_ONCE nothing is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka } from '../../support/kafka/index.ts';
import type { KafkaBroker } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { restAddress, startWeir } from '../../support/weir-process.ts';
import type { WeirProcess } from '../../support/weir-process.ts';
import { cleanups, kafkaClient, readAll } from './kafka-helpers.ts';

const KEYS = 6;
const JOB = 'test/fixtures/jobs/kafka-sequences.ts';
/** The input's pace: input keeps flowing while the kills happen (a schedule, not a wait for a condition; no assertion depends on it). */
const STEP_EVERY_MS = 15;

async function failuresOf(get: <T>(path: string) => Promise<T>, jobId: string): Promise<number> {
  return (await get<{ exceptionHistory: { entries: unknown[] } }>(`/jobs/${jobId}/exceptions`)).exceptionHistory.entries.length;
}

/**
 * Runs the job while input arrives, one step of every key at a time, from before the first kill
 * until the last kill's failure was seen and at least `minSteps` steps were sent; returns the
 * output, the failures the job saw and how many steps there were.
 */
async function runWithKills(kafka: KafkaBroker, guarantee: string, kills: number, minSteps: number): Promise<{ rows: string[]; failures: number; steps: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-kill-'));
  const processes: WeirProcess[] = [];
  try {
    const jm = startWeir([
      'jobmanager', JOB, '--cluster', '--rest-port', '0', '--parallelism', '2',
      '-Dexecution.checkpointing.interval=200ms', `-Dstate.checkpoints.dir=${join(dir, 'chk')}`,
      '-Drestart-strategy.type=fixed-delay', '-Drestart-strategy.fixed-delay.attempts=100', '-Drestart-strategy.fixed-delay.delay=100ms',
      '-Dheartbeat.interval=200ms', '-Dheartbeat.timeout=2s',
      '--', '--brokers', kafka.brokers[0]!, '--guarantee', guarantee,
    ]);
    processes.push(jm);
    const url = await eventually(() => restAddress(jm), 30_000, 'the JobManager', () => jm.stderr());
    const taskManager = () => {
      const tm = startWeir(['taskmanager', '--jobmanager', url, '--slots', '1']);
      processes.push(tm);
      return tm;
    };
    const tms = [taskManager(), taskManager()];
    const get = async <T>(path: string) => (await (await fetch(url + path)).json()) as T;
    const jobId = await eventually(async () => (await get<{ jobs: { jid: string }[] }>('/jobs/overview')).jobs[0]?.jid, 30_000, 'the job');
    // Input keeps arriving while TaskManagers are killed, however long the kills take on a loaded machine.
    let produced = 0;
    let killing = true;
    const producer = kafkaClient(kafka.brokers, 'steps').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const producing = (async () => {
      try {
        for (; killing || produced < minSteps; produced++) {
          const step = produced;
          await producer.send({ topic: 'in', messages: Array.from({ length: KEYS }, (_, k) => ({ key: `k${k}`, value: `k${k}:${step}` })) });
          await new Promise((r) => setTimeout(r, STEP_EVERY_MS));
        }
      } finally {
        await producer.disconnect();
      }
    })();
    let completed = 0;
    let k = 0;
    try {
      for (; k < kills; k++) {
        completed = await eventually(async () => {
          const [job] = (await get<{ jobs: { state: string; tasks: { running: number; total: number } }[] }>('/jobs/overview')).jobs;
          const c = (await get<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`)).counts.completed;
          return job?.state === 'RUNNING' && job.tasks.running === job.tasks.total && c > completed ? c : undefined;
        }, 60_000, `progress before kill ${k + 1}`);
        // A random moment within a checkpoint interval: sometimes between a pre-commit and its commit.
        await new Promise((r) => setTimeout(r, Math.random() * 200));
        const victim = tms.splice(Math.floor(Math.random() * tms.length), 1)[0]!;
        victim.child.kill('SIGKILL');
        await victim.exited;
        tms.push(taskManager());
        // The next kill waits until the JobManager saw this one, or two kills could make one failure.
        const seen = k + 1;
        await eventually(async () => ((await failuresOf(get, jobId)) >= seen ? true : undefined), 30_000, `the failure of kill ${seen}`);
      }
    } finally {
      killing = false;
      await producing;
    }
    const steps = produced;
    const readOutput = async () => (await readAll(kafka.brokers, 'out')).map((r) => r.value);
    await eventually(async () => (new Set((await readOutput()).map((l) => l.split(',').slice(0, 2).join(','))).size === steps * KEYS ? true : undefined), 120_000, 'every step in the output');
    // Two more checkpoints complete, so whatever was pre-committed by then is committed too:
    // a duplicate committed late is in the output read below.
    const seen = (await get<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`)).counts.completed;
    await eventually(async () => ((await get<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`)).counts.completed >= seen + 2 ? true : undefined), 60_000, 'two checkpoints after the output was complete');
    return { rows: await readOutput(), failures: await failuresOf(get, jobId), steps };
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await rm(dir, { recursive: true, force: true });
  }
}

test('three TaskManager kills: a read_committed consumer sees every step of every key exactly once, with exact counts', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 4, out: 3 } });
  defer(() => kafka.stop());
  const { rows, failures, steps } = await runWithKills(kafka, 'EXACTLY_ONCE', 3, 200);
  assert.ok(failures >= 3, `${failures} failures for 3 kills`);
  // Every step seen more than once, with each row it came in, so a failure shows which.
  const byStep = new Map<string, string[]>();
  for (const line of rows) {
    const step = line.split(',').slice(0, 2).join(',');
    byStep.set(step, [...(byStep.get(step) ?? []), line]);
  }
  assert.deepEqual([...byStep.values()].filter((lines) => lines.length > 1), [], `${rows.length} rows for ${steps * KEYS} steps`);
  assert.equal(rows.length, steps * KEYS, 'no step twice');
  const seqs = new Map<string, number[]>();
  for (const line of rows) {
    const [key, seq, count] = line.split(',');
    assert.equal(Number(count), Number(seq) + 1, line);
    seqs.set(key!, [...(seqs.get(key!) ?? []), Number(seq)]);
  }
  for (const [key, s] of seqs) assert.deepEqual(s, Array.from({ length: steps }, (_, i) => i), key);
  assert.deepEqual(kafka.errors, []);
});

test('AT_LEAST_ONCE on a cluster: after TaskManager kills nothing is lost', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 4, out: 3 } });
  defer(() => kafka.stop());
  const { rows, steps } = await runWithKills(kafka, 'AT_LEAST_ONCE', 2, 200);
  assert.equal(new Set(rows.map((l) => l.split(',').slice(0, 2).join(','))).size, steps * KEYS);
});
