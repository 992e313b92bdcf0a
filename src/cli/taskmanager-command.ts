/** `weir taskmanager --jobmanager URL [--slots N]`: a TaskManager process. */
import { TaskManager } from '../runtime/taskmanager/task-manager.ts';
import { parseDuration } from '../runtime/config/duration.ts';
import { WeirError, errorMessage } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';
import { portFlag, positiveInt } from './args.ts';
import { exitWithParent } from './parent-watch.ts';

const REGISTRATION_ATTEMPTS = 30;

export async function taskManagerCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const url = args.flags.get('jobmanager') ?? process.env.WEIR_JOBMANAGER_URL;
  if (typeof url !== 'string') {
    throw new WeirError('INVALID_ARGUMENTS', 'usage: weir taskmanager --jobmanager http://HOST:PORT [--slots N] (or set WEIR_JOBMANAGER_URL)', false);
  }
  const slots = positiveInt(args.flags.get('slots') ?? args.config['taskmanager.numberOfTaskSlots'], 'slots') ?? 1;
  const bufferTimeout = args.config['execution.buffer-timeout'];
  const tm = new TaskManager({
    jobManagerUrl: url.replace(/\/$/, ''),
    slots,
    host: typeof args.flags.get('host') === 'string' ? (args.flags.get('host') as string) : undefined,
    metricsPort: portFlag(args.flags.get('metrics-port'), 'metrics-port'),
    bufferTimeoutMs: bufferTimeout === undefined ? undefined : parseDuration(bufferTimeout, 'execution.buffer-timeout'),
    log: (line) => stderr.write(`weir taskmanager: ${line}\n`),
  });
  // The JobManager may still be starting: retry registration for a while, as Flink does.
  for (let attempt = 1; ; attempt++) {
    try {
      await tm.start();
      break;
    } catch (err) {
      if (!(err instanceof WeirError) || !err.retriable || attempt >= REGISTRATION_ATTEMPTS) throw err;
      stderr.write(`weir taskmanager: ${errorMessage(err)}; retrying\n`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  exitWithParent(() => tm.stop());
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await tm.stop();
  return 0;
}
