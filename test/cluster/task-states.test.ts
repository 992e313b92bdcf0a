/**
 * Task states over REST are the subtasks' real states, as Flink reports them: with its only
 * TaskManager killed, a job's tasks are not reported running; they wait for slots
 * (SCHEDULED) until a TaskManager comes, then run again. And commands reach TaskManagers
 * without waiting for a heartbeat: with heartbeats every 30 s, a job still deploys and
 * cancels at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually.ts';
import { recordsFlowInAttempt, scrape } from '../support/records-flow.ts';
import { restAddress, startWeir } from '../support/weir-process.ts';
import type { WeirProcess } from '../support/weir-process.ts';

interface Overview {
  jid: string;
  state: string;
  tasks: Record<string, number>;
}

async function overview(base: string): Promise<Overview | undefined> {
  const r = (await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: Overview[] };
  return r.jobs[0];
}

/** The task counts that are not zero. */
const nonZero = (tasks: Record<string, number>) => Object.fromEntries(Object.entries(tasks).filter(([, n]) => n > 0));

test('a job whose only TaskManager is killed does not report running tasks; they wait for slots, then run on a new TaskManager', async () => {
  const jm = startWeir(['jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-port', '0', '--parallelism', '2', '-Dheartbeat.interval=200ms', '-Dheartbeat.timeout=2s']);
  const tms: WeirProcess[] = [];
  try {
    const base = await eventually(() => restAddress(jm), 30_000, 'the REST address', () => jm.stderr());
    // Before any TaskManager: the job is RUNNING (scheduling), its tasks are not.
    const waiting = await eventually(async () => {
      const o = await overview(base);
      return o && o.tasks.scheduled === 4 ? o : undefined;
    }, 30_000, 'tasks waiting for slots');
    assert.deepEqual({ state: waiting.state, total: waiting.tasks.total, ...nonZero(waiting.tasks) }, { state: 'RUNNING', total: 4, scheduled: 4 });

    tms.push(startWeir(['taskmanager', '--jobmanager', base, '--slots', '2']));
    let last: Overview | undefined;
    await eventually(async () => ((last = await overview(base))?.tasks.running === 4 ? true : undefined), 60_000, 'all 4 tasks running', () => last);
    assert.deepEqual(nonZero(last!.tasks), { total: 4, running: 4 });

    tms[0]!.child.kill('SIGKILL');
    // Lost after the heartbeat timeout: the attempt fails, the job restarts and waits for slots again.
    await eventually(async () => ((last = await overview(base))?.tasks.scheduled === 4 ? true : undefined), 60_000, 'tasks waiting for slots again', () => last);
    assert.equal(last!.state, 'RUNNING');
    assert.equal(last!.tasks.running, 0);
    const detail = (await (await fetch(`${base}/jobs/${last!.jid}`)).json()) as { vertices: { status: string; tasks: Record<string, number> }[] };
    assert.deepEqual(detail.vertices.map((v) => [v.status, v.tasks.scheduled]), [
      ['SCHEDULED', 2],
      ['SCHEDULED', 2],
    ]);

    tms.push(startWeir(['taskmanager', '--jobmanager', base, '--slots', '2']));
    await eventually(async () => ((last = await overview(base))?.tasks.running === 4 ? true : undefined), 60_000, 'the tasks running on the new TaskManager', () => last);
    // Not only running: the restarted attempt moves records on the new TaskManager.
    await recordsFlowInAttempt(scrape(`${base}/metrics`), last!.jid, 1);
  } finally {
    for (const p of [jm, ...tms]) p.child.kill('SIGKILL');
    await Promise.all([jm, ...tms].map((p) => p.exited));
  }
});

test('deployments and cancels reach TaskManagers at once, not with the next heartbeat; a normal end prints no error', async () => {
  const jm = startWeir(['jobmanager', 'test/fixtures/jobs/endless.ts', '--cluster', '--rest-port', '0', '--parallelism', '2', '-Dheartbeat.interval=120s', '-Dheartbeat.timeout=600s']);
  let worker: WeirProcess | undefined;
  try {
    const base = await eventually(() => restAddress(jm), 30_000, 'the REST address', () => jm.stderr());
    worker = startWeir(['taskmanager', '--jobmanager', base, '--slots', '2']);
    let last: Overview | undefined;
    // The first heartbeat comes 120 s after registration: the deployment, the tasks' states
    // and the cancel below all travel on the open request for commands and immediate reports.
    await eventually(async () => ((last = await overview(base))?.tasks.running === 4 ? true : undefined), 90_000, 'all tasks running', () => last);
    const r = await fetch(`${base}/jobs/${last!.jid}?mode=cancel`, { method: 'PATCH' });
    assert.equal(r.status, 202);
    assert.equal(await jm.exited, 130);
    await eventually(() => (/the JobManager is shutting down/.test(worker!.stderr()) ? true : undefined), 20_000, 'the TaskManager to hear of the shutdown', () => worker!.stderr());
    worker.child.kill('SIGTERM');
    await worker.exited;
    assert.doesNotMatch(worker.stderr(), /fail|error|cannot/i);
  } finally {
    for (const p of [jm, ...(worker ? [worker] : [])]) p.child.kill('SIGKILL');
  }
});
