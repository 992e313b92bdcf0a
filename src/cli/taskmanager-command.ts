/** `weir taskmanager --jobmanager URL [--slots N]`: a TaskManager process. */
import { TaskManager } from '../runtime/taskmanager/task-manager.ts';
import { DEFAULT_REGISTRATION } from '../runtime/taskmanager/jobmanager-connection.ts';
import { parseDuration } from '../runtime/config/duration.ts';
import { WeirError } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';
import { portFlag, positiveInt } from './args.ts';
import { exitWithParent } from './parent-watch.ts';

export async function taskManagerCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const url = args.flags.get('jobmanager') ?? process.env.WEIR_JOBMANAGER_URL;
  if (typeof url !== 'string') {
    throw new WeirError('INVALID_ARGUMENTS', 'usage: weir taskmanager --jobmanager http://HOST:PORT [--slots N] (or set WEIR_JOBMANAGER_URL)', false);
  }
  const slots = positiveInt(args.flags.get('slots') ?? args.config['taskmanager.numberOfTaskSlots'], 'slots') ?? 1;
  const bufferTimeout = args.config['execution.buffer-timeout'];
  const registrationTimeout = args.config['taskmanager.registration.timeout'];
  let giveUp: (err: WeirError) => void = () => undefined;
  const gaveUp = new Promise<WeirError>((resolve) => {
    giveUp = resolve;
  });
  const tm = new TaskManager({
    jobManagerUrl: url.replace(/\/$/, ''),
    slots,
    host: typeof args.flags.get('host') === 'string' ? (args.flags.get('host') as string) : undefined,
    metricsPort: portFlag(args.flags.get('metrics-port'), 'metrics-port'),
    bufferTimeoutMs: bufferTimeout === undefined ? undefined : parseDuration(bufferTimeout, 'execution.buffer-timeout'),
    // The JobManager may still be starting, or be restarting: keep trying for this long, as Flink does, then exit non-zero.
    registration: registrationTimeout === undefined ? DEFAULT_REGISTRATION : { ...DEFAULT_REGISTRATION, timeoutMs: parseDuration(registrationTimeout, 'taskmanager.registration.timeout') },
    onFatal: (err) => giveUp(err),
    log: (line) => stderr.write(`weir taskmanager: ${line}\n`),
  });
  try {
    await tm.start();
  } catch (err) {
    await tm.stop();
    throw err;
  }
  exitWithParent(() => tm.stop());
  const signalled = new Promise<undefined>((resolve) => {
    process.once('SIGINT', () => resolve(undefined));
    process.once('SIGTERM', () => resolve(undefined));
  });
  const failure = await Promise.race([signalled, gaveUp]);
  await tm.stop();
  // main() prints it and exits 1, so Kubernetes restarts the container.
  if (failure) throw failure;
  return 0;
}
