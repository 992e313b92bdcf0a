/**
 * `weir jobmanager JOB [--cluster] [--rest-port 8081] [--parallelism N]`: a JobManager in
 * application mode. It runs the job (on registered TaskManagers with --cluster, otherwise
 * in this process), serves the REST API, and exits with the job's outcome: 0 finished,
 * 1 failed, 130 canceled. With `high-availability.type: kubernetes` it first competes for
 * its cluster's leadership (ha-jobmanager.ts).
 */
import { Dispatcher } from '../runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../runtime/jobmanager/rest/rest-server.ts';
import { WeirError } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';
import { portFlag, positiveInt } from './args.ts';
import { loadJob } from '../runtime/graph/load-job.ts';
import { TaskManagerRegistry } from '../runtime/jobmanager/scheduler/task-manager-registry.ts';
import { parseDuration } from '../runtime/config/duration.ts';
import { resolve } from 'node:path';
import { exitWithParent } from './parent-watch.ts';
import { isTerminal } from '../runtime/jobmanager/job-status.ts';
import { parseHaConfig } from '../runtime/jobmanager/ha/ha-config.ts';
import { settledWithin, STOP_WAIT_MS } from './stop-wait.ts';

export async function jobManagerCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const jobPath = args.positional[1];
  if (!jobPath) throw new WeirError('INVALID_ARGUMENTS', 'usage: weir jobmanager JOB.ts [--cluster] [--rest-port 8081] [--rest-address 127.0.0.1] [--parallelism N] [-Dkey=value ...] [-- job args]', false);
  const restPort = portFlag(args.flags.get('rest-port'), 'rest-port') ?? 8081;
  const host = typeof args.flags.get('rest-address') === 'string' ? (args.flags.get('rest-address') as string) : '127.0.0.1';
  const parallelism = positiveInt(args.flags.get('parallelism'), 'parallelism');
  const job = await loadJob(jobPath);
  // --cluster: the job runs on TaskManagers that register with this JobManager.
  const cluster = args.flags.has('cluster');
  const registry = cluster
    ? new TaskManagerRegistry(
        parseDuration(args.config['heartbeat.interval'] ?? '1s', 'heartbeat.interval'),
        parseDuration(args.config['heartbeat.timeout'] ?? '10s', 'heartbeat.timeout'),
      )
    : undefined;
  const stopExpiry = registry?.startExpiry();
  const dispatcher = new Dispatcher(registry ? { registry, slotWaitMs: parseDuration(args.config['slot.request.timeout'] ?? '5 min', 'slot.request.timeout') } : undefined);
  const ha = parseHaConfig(new Map(Object.entries(args.config)));
  if (ha) {
    try {
      const submit = { parallelism, args: args.jobArgs, config: args.config, jobPath: resolve(jobPath) };
      // Loaded on demand: a JobManager without HA need not load the Kubernetes client.
      const { runHaJobManager } = await import('./ha-jobmanager.ts');
      return await runHaJobManager({ ha, dispatcher, job, submit, host, restPort, log: (line) => stderr.write(`weir: ${line}\n`) });
    } finally {
      stopExpiry?.();
    }
  }
  const rest = new RestServer(dispatcher, { port: restPort, host });
  const bound = await rest.listen();
  stderr.write(`weir: JobManager REST API on http://${host}:${bound}\n`);
  try {
    const master = await dispatcher.submit(job, { parallelism, args: args.jobArgs, config: args.config, jobPath: resolve(jobPath) });
    exitWithParent(() => {
      if (!isTerminal(master.status)) master.cancel();
    });
    stderr.write(`weir: job ${master.jobId} "${master.name}" submitted\n`);
    let signalled = false;
    let stopSignalled = () => {};
    const stopSignal = new Promise<void>((resolve) => (stopSignalled = resolve));
    const onSignal = () => {
      signalled = true;
      stopSignalled();
      if (!isTerminal(master.status)) master.cancel();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // Stopped by a signal, it waits for the tasks' cancel a short while only (stop-wait.ts).
    const unconfirmed = stopSignal.then(async () => !(await settledWithin(master.done, STOP_WAIT_MS)));
    if (await Promise.race([master.done.then(() => false), unconfirmed])) {
      stderr.write(`weir: job ${master.jobId} still ${master.status} ${STOP_WAIT_MS / 1000} s after the stop signal: stopping without waiting for its TaskManagers\n`);
      process.exit(130);
    }
    const result = await master.done;
    // A stop-with-savepoint's caller still has to learn where the savepoint went.
    if (!signalled) await master.savepointRequests.allRead(10_000);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stderr.write(`weir: job ${master.jobId} ${master.status}${result.error ? ` [${result.error.code}]: ${result.error.message}` : ''}\n`);
    // Under an operator the JobManager outlives its job so the final state stays readable over REST.
    // (A stop signal that ended the job ends the process too.)
    if (args.config['execution.shutdown-on-application-finish'] === 'false' && !signalled) {
      const stopped = untilSignal();
      stderr.write('weir: the job ended; serving REST until stopped (execution.shutdown-on-application-finish: false)\n');
      await stopped;
    }
    return master.status === 'FINISHED' ? 0 : master.status === 'CANCELED' ? 130 : 1;
  } finally {
    stopExpiry?.();
    await rest.close();
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
