/**
 * `weir jobmanager JOB [--rest-port 8081] [--parallelism N]`: a JobManager in application
 * mode. It runs the job (in this process until TaskManagers arrive), serves the REST API,
 * and exits with the job's outcome: 0 finished, 1 failed, 130 canceled.
 */
import { Dispatcher } from '../runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../runtime/jobmanager/rest/rest-server.ts';
import { WeirError } from '../runtime/errors.ts';
import type { ParsedArgs } from './args.ts';
import { positiveInt } from './args.ts';
import { loadJob } from '../runtime/graph/load-job.ts';

function port(value: string | true | undefined): number {
  if (value === undefined) return 8081;
  const n = Number(value);
  if (value === true || !Number.isInteger(n) || n < 0 || n > 65535) throw new WeirError('INVALID_ARGUMENTS', `--rest-port needs a port number from 0 to 65535, got ${String(value)}`, false);
  return n;
}

export async function jobManagerCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const jobPath = args.positional[1];
  if (!jobPath) throw new WeirError('INVALID_ARGUMENTS', 'usage: weir jobmanager JOB.ts [--rest-port 8081] [--rest-address 127.0.0.1] [--parallelism N] [-- job args]', false);
  const restPort = port(args.flags.get('rest-port'));
  const host = typeof args.flags.get('rest-address') === 'string' ? (args.flags.get('rest-address') as string) : '127.0.0.1';
  const parallelism = positiveInt(args.flags.get('parallelism'), 'parallelism');
  const job = await loadJob(jobPath);
  const dispatcher = new Dispatcher();
  const rest = new RestServer(dispatcher, { port: restPort, host });
  const bound = await rest.listen();
  stderr.write(`weir: JobManager REST API on http://${host}:${bound}\n`);
  try {
    const master = await dispatcher.submit(job, { parallelism, args: args.jobArgs });
    stderr.write(`weir: job ${master.jobId} "${master.name}" submitted\n`);
    const onSignal = () => {
      if (master.status === 'RUNNING' || master.status === 'RESTARTING') master.cancel();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const result = await master.done;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stderr.write(`weir: job ${master.jobId} ${master.status}${result.error ? ` [${result.error.code}]: ${result.error.message}` : ''}\n`);
    return master.status === 'FINISHED' ? 0 : master.status === 'CANCELED' ? 130 : 1;
  } finally {
    await rest.close();
  }
}
