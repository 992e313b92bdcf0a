/**
 * Child processes of `weir run` exit when their parent goes away (an IPC channel
 * closes when the parent dies, even by SIGKILL), so no process outlives the local cluster.
 */
import { errorMessage } from '../errors/index.ts';

export function exitWithParent(onExit: () => Promise<void> | void): void {
  if (!process.send) return;
  // The channel is only a tripwire: it must not keep a finished process alive.
  process.channel?.unref();
  process.on('disconnect', () => {
    Promise.resolve()
      .then(onExit)
      .catch((err: unknown) => process.stderr.write(`weir: stopping after the parent process went away failed: ${errorMessage(err)}\n`))
      .finally(() => process.exit(1));
  });
}
