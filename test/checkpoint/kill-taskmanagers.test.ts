/**
 * Exactly-once under failures, as users run it: a JobManager and two TaskManager processes;
 * TaskManagers are killed with SIGKILL at random moments and replaced. The job (per-key
 * sequence numbers through a keyed counter and tumbling windows, into the exactly-once file
 * sink) restarts from its latest checkpoint each time. The committed files hold every
 * sequence number of every key exactly once, each with the count an uninterrupted run
 * gives, and every window once with its full count. In AT_LEAST_ONCE mode nothing is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { restAddress, startWeir } from '../support/weir-process.ts';
import type { WeirProcess } from '../support/weir-process.ts';
import { KEYS } from '../fixtures/jobs/exactly-once-sequences.ts';

const JOB = 'test/fixtures/jobs/exactly-once-sequences.ts';

async function committedLines(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('part-'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).flatMap((text) => text.split('\n').filter((l) => l !== ''));
}

/** Runs the job on a local cluster, killing a TaskManager `kills` times; returns the committed lines. */
async function runWithKills(mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE', kills: number, records: number, rate: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-kill-'));
  const out = join(dir, 'out');
  const processes: WeirProcess[] = [];
  try {
    const jm = startWeir([
      'jobmanager', JOB, '--cluster', '--rest-port', '0', '--parallelism', '2',
      '-Dexecution.checkpointing.interval=200ms', `-Dexecution.checkpointing.mode=${mode}`, `-Dstate.checkpoints.dir=${join(dir, 'chk')}`,
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
    for (let k = 0; k < kills; k++) {
      // Each kill comes after the job ran again and completed a checkpoint since the last one.
      completed = await eventually(async () => {
        const [job] = (await get<{ jobs: { state: string; tasks: { running: number; total: number } }[] }>('/jobs/overview')).jobs;
        const c = (await get<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`)).counts.completed;
        return job?.state === 'RUNNING' && job.tasks.running === job.tasks.total && c > completed ? c : undefined;
      }, 60_000, `progress before kill ${k + 1}`);
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      const victim = tms.splice(Math.floor(Math.random() * tms.length), 1)[0]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      tms.push(taskManager());
    }
    await eventually(async () => ((await get<{ jobs: { state: string }[] }>('/jobs/overview')).jobs[0]?.state === 'FINISHED' ? true : undefined), 120_000, 'the job to finish');
    // Every kill failed an attempt, and the job restarted past each.
    const { entries } = (await get<{ exceptionHistory: { entries: unknown[] } }>(`/jobs/${jobId}/exceptions`)).exceptionHistory;
    assert.ok(entries.length >= kills, `${entries.length} failures for ${kills} kills`);
    return await committedLines(out);
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Per key: seq -> how often it was committed, and the counts committed with it. */
function bySequence(lines: string[]): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  for (const l of lines.filter((x) => x.startsWith('seq,'))) {
    const [, key, seq, count] = l.split(',');
    const id = `${key},${seq}`;
    seen.set(id, [...(seen.get(id) ?? []), Number(count)]);
  }
  return seen;
}

test('five TaskManager kills: every sequence number of every key is committed exactly once, with exact state and windows', async () => {
  const records = 40_000;
  const lines = await runWithKills('EXACTLY_ONCE', 5, records, 1500);
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
  for (const [id, counts] of seqs) {
    // Exactly once, and the keyed count went on from the restored state: count = seq + 1.
    assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}`);
  }
  const windows = lines.filter((l) => l.startsWith('win,'));
  const perKey = records / KEYS;
  // 100 sequence numbers per second of event time; the last window holds the rest.
  const expected = Array.from({ length: KEYS }, (_, key) => Array.from({ length: Math.ceil(perKey / 100) }, (_, w) => `win,${key},${(w + 1) * 1000},${Math.min(100, perKey - w * 100)}`)).flat();
  assert.deepEqual(windows.sort(), expected.sort());
});

test('AT_LEAST_ONCE: after TaskManager kills nothing is lost', async () => {
  const records = 12_000;
  const lines = await runWithKills('AT_LEAST_ONCE', 2, records, 1500);
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
});
