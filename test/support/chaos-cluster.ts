/**
 * A local cluster under fire: a JobManager and two TaskManager processes run the
 * exactly-once sequences job (test/fixtures/jobs/exactly-once-sequences.ts) while
 * TaskManagers are killed with SIGKILL at random moments and replaced. Used by the kill
 * tests and by `npm run soak`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYS } from '../fixtures/jobs/exactly-once-sequences.ts';
import { eventually } from './eventually.ts';
import type { S3TestServer } from './s3/s3-test-server.ts';
import { restAddress, startWeir } from './weir-process.ts';
import type { WeirProcess } from './weir-process.ts';

const JOB = 'test/fixtures/jobs/exactly-once-sequences.ts';

async function committedLines(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('part-'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).flatMap((text) => text.split('\n').filter((l) => l !== ''));
}

/** The lines of the objects under `prefix` of the test server's `weir` bucket. */
async function committedObjectLines(s3: S3TestServer, prefix: string): Promise<string[]> {
  const o = s3.objects();
  try {
    const { keys } = await o.list('weir', `${prefix}/`);
    const texts = await Promise.all(keys.map(async (k) => Buffer.from((await o.get('weir', k))!).toString('utf8')));
    return texts.flatMap((text) => text.split('\n').filter((l) => l !== ''));
  } finally {
    o.close();
  }
}

export interface ChaosOptions {
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** How many TaskManagers to kill; Infinity: until the job ends. */
  kills: number;
  records: number;
  /** Records per second. */
  rate: number;
  /** Waits this long at most (random) after progress before each kill. */
  maxPauseMs?: number;
  log?: (line: string) => void;
  /** Checkpoints and the exactly-once files go to this S3 server's `weir` bucket instead of local directories. */
  s3?: S3TestServer;
  /** More JobManager options (`-Dkey=value`): the state backend, incremental checkpoints. */
  config?: readonly string[];
  /** Called once, after the first checkpoint completed and before the first kill, with where checkpoints go. */
  inspect?: (checkpoints: string, jobId: string) => Promise<void>;
}

export interface ChaosResult {
  lines: string[];
  kills: number;
  failures: number;
}

/** Runs the job on a local cluster, killing a TaskManager `kills` times; returns the committed lines. */
export async function runWithKills(o: ChaosOptions): Promise<ChaosResult> {
  const { mode, kills, records, rate } = o;
  const dir = await mkdtemp(join(tmpdir(), 'weir-kill-'));
  const run = dir.slice(-6);
  const out = o.s3 ? `s3://weir/out-${run}` : join(dir, 'out');
  const checkpoints = o.s3 ? `s3://weir/chk-${run}` : join(dir, 'chk');
  const processes: WeirProcess[] = [];
  try {
    const jm = startWeir([
      'jobmanager', JOB, '--cluster', '--rest-port', '0', '--parallelism', '2',
      '-Dexecution.checkpointing.interval=200ms', `-Dexecution.checkpointing.mode=${mode}`, `-Dstate.checkpoints.dir=${checkpoints}`, ...(o.s3?.configArgs() ?? []), ...(o.config ?? []),
      '-Drestart-strategy.type=fixed-delay', '-Drestart-strategy.fixed-delay.attempts=100', '-Drestart-strategy.fixed-delay.delay=100ms',
      '-Dheartbeat.interval=200ms', '-Dheartbeat.timeout=2s', '-Dexecution.shutdown-on-application-finish=false',
      '--', '--records', String(records), '--rate', String(rate), '--out', out,
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
    let completed = 0;
    let k = 0;
    const finished = async () => (await get<{ jobs: { state: string }[] }>('/jobs/overview')).jobs[0]?.state === 'FINISHED';
    for (; k < kills && !(await finished()); k++) {
      // Each kill comes after the job ran again and completed a checkpoint since the last one.
      completed = await eventually(async () => {
        const [job] = (await get<{ jobs: { state: string; tasks: { running: number; total: number } }[] }>('/jobs/overview')).jobs;
        const c = (await get<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`)).counts.completed;
        return job?.state === 'FINISHED' ? -1 : job?.state === 'RUNNING' && job.tasks.running === job.tasks.total && c > completed ? c : undefined;
      }, 60_000, `progress before kill ${k + 1}`);
      if (completed < 0) break;
      if (k === 0) await o.inspect?.(checkpoints, jobId);
      await new Promise((r) => setTimeout(r, Math.random() * (o.maxPauseMs ?? 300)));
      const victim = tms.splice(Math.floor(Math.random() * tms.length), 1)[0]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      tms.push(taskManager());
      o.log?.(`killed TaskManager ${k + 1}${Number.isFinite(kills) ? ` of ${kills}` : ''}`);
    }
    await eventually(async () => ((await get<{ jobs: { state: string }[] }>('/jobs/overview')).jobs[0]?.state === 'FINISHED' ? true : undefined), 120_000, 'the job to finish');
    // Every kill failed an attempt, and the job restarted past each.
    const { entries } = (await get<{ exceptionHistory: { entries: unknown[] } }>(`/jobs/${jobId}/exceptions`)).exceptionHistory;
    return { lines: o.s3 ? await committedObjectLines(o.s3, `out-${run}`) : await committedLines(out), kills: k, failures: entries.length };
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Per key: seq -> how often it was committed, and the counts committed with it. */
export function bySequence(lines: string[]): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  for (const l of lines.filter((x) => x.startsWith('seq,'))) {
    const [, key, seq, count] = l.split(',');
    const id = `${key},${seq}`;
    seen.set(id, [...(seen.get(id) ?? []), Number(count)]);
  }
  return seen;
}


/**
 * What an exactly-once run of the sequences job must have committed: every sequence number of
 * every key once, with the count an uninterrupted run gives (count = seq + 1: the keyed count
 * went on from the restored state), and every window once with its full count (100 sequence
 * numbers per second of event time; the last window holds the rest).
 */
export function assertCommittedExactlyOnce(lines: string[], records: number): void {
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
  for (const [id, counts] of seqs) assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}`);
  const windows = lines.filter((l) => l.startsWith('win,'));
  const perKey = records / KEYS;
  const expected = Array.from({ length: KEYS }, (_, key) => Array.from({ length: Math.ceil(perKey / 100) }, (_, w) => `win,${key},${(w + 1) * 1000},${Math.min(100, perKey - w * 100)}`)).flat();
  assert.deepEqual(windows.sort(), expected.sort());
}
