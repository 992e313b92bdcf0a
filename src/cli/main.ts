/** Entry of the `weir` command. Returns the process exit code. */
import { WeirError, errorMessage } from '../errors/index.ts';
import { parseArgs } from './args.ts';
import { readConfigDir } from '../runtime/config/config-file.ts';
import { runCommand } from './run-command.ts';
import { jobManagerCommand } from './jobmanager-command.ts';
import { taskManagerCommand } from './taskmanager-command.ts';
import { savepointCommand } from './savepoint-command.ts';

const USAGE = `usage: weir <command> [options]

commands:
  run JOB.ts [--parallelism N] [-- --arg value ...]   run a job in this process
  run JOB.ts --from-savepoint PATH [--allow-non-restored-state]
                                                      start it from a savepoint or checkpoint
  run JOB.ts --taskmanagers M [--slots S] ...         run it on a local cluster (1 JobManager, M TaskManagers)
  jobmanager JOB.ts [--cluster] [--rest-port 8081] [--parallelism N] [-Dkey=value] [-- args]
                                                      a JobManager with the REST API (--cluster: on TaskManagers)
  taskmanager --jobmanager URL [--slots N] [--host IP] [--metrics-port P]
                                                      a TaskManager that registers with a JobManager
  savepoint JOB_ID [DIR] [--jobmanager URL]           take a savepoint of a running job
  stop JOB_ID --savepoint [DIR] [--drain] [--jobmanager URL]
                                                      take a savepoint, then end the job (FINISHED);
                                                      --drain fires every event-time timer first
  operator [--watch-namespaces a,b] [--leader-elect true|false] [--leader-election-lock leases|configmaps] [--http-port 8080]
                                                      the Kubernetes operator for StreamDeployments

Every command reads --config-dir DIR (or WEIR_CONF_DIR)/config.yaml; -Dkey=value wins over it.

Job arguments after "--" reach the job's main as args (e.g. args.rate).`;

export async function main(argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const args = parseArgs(argv);
  const command = args.positional[0];
  if (command === undefined || args.flags.has('help')) {
    stderr.write(`${USAGE}\n`);
    return command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  try {
    // Settings from the configuration file; -D flags on the command line win.
    const confDir = args.flags.get('config-dir') ?? process.env.WEIR_CONF_DIR;
    if (typeof confDir === 'string' && confDir !== '') args.config = { ...readConfigDir(confDir), ...args.config };
    if (command === 'run') return await runCommand(args, stderr);
    if (command === 'jobmanager') return await jobManagerCommand(args, stderr);
    if (command === 'taskmanager') return await taskManagerCommand(args, stderr);
    // Loaded on demand: JobManagers and TaskManagers need not load the Kubernetes client.
    if (command === 'operator') return await (await import('./operator-command.ts')).operatorCommand(args, stderr);
    if (command === 'savepoint' || command === 'stop') return await savepointCommand(command, args, stderr);
    stderr.write(`weir: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  } catch (err) {
    const code = err instanceof WeirError ? err.code : 'ERROR';
    stderr.write(`weir: [${code}] ${errorMessage(err)}\n`);
    return 1;
  }
}
