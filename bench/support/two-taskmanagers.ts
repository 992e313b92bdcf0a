/**
 * Runs a job module at parallelism 2 the way a local cluster does: a JobManager in this
 * process and two `weir taskmanager` child processes with one slot each, so keyed
 * exchanges cross TCP between processes. The TaskManagers are started before the clock
 * starts and stopped (waited for) after.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import type { JobMaster } from '../../src/runtime/jobmanager/job-master.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { TaskManagerRegistry } from '../../src/runtime/jobmanager/scheduler/task-manager-registry.ts';
import { loadJob } from '../../src/runtime/graph/load-job.ts';

export interface TwoTaskManagerRun {
  args: Record<string, string>;
  bufferTimeout: string;
  config?: Record<string, string>;
  /** Called once the job is submitted (to watch its checkpoints, say). */
  submitted?: (master: JobMaster) => void;
}

export async function onTwoTaskManagers(jobFile: string, run: TwoTaskManagerRun) {
  const registry = new TaskManagerRegistry(200, 10_000);
  const dispatcher = new Dispatcher({ registry });
  const rest = new RestServer(dispatcher, { port: 0 });
  const url = `http://127.0.0.1:${await rest.listen()}`;
  const weir = resolve('bin/weir.mjs');
  const tms = [0, 1].map(() => spawn(process.execPath, [weir, 'taskmanager', '--jobmanager', url, '--slots', '1', `-Dexecution.buffer-timeout=${run.bufferTimeout}`], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
  try {
    while (registry.totalSlots() < 2) await new Promise((r) => setTimeout(r, 50));
    const path = resolve(jobFile);
    const started = performance.now();
    const master = await dispatcher.submit(await loadJob(path), { parallelism: 2, jobPath: path, args: run.args, config: run.config ?? {} });
    run.submitted?.(master);
    const result = await master.done;
    if (result.state !== 'FINISHED') throw new Error(`benchmark job ${result.state}: ${result.error?.message}`);
    return { result, seconds: (performance.now() - started) / 1000 };
  } finally {
    // The next measurement starts only once these processes are gone: exiting TaskManagers
    // compete for the CPU (two cores here) with the next run's.
    await Promise.all(tms.map(stopped));
    await rest.close();
  }
}

/** SIGTERM, then SIGKILL if the process is still there after 10 s; resolves when it exited. */
function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
