/**
 * Child processes of `weir run` exit when their parent goes away (an IPC channel
 * closes when the parent dies, even by SIGKILL), so no process outlives the local cluster.
 */
export function exitWithParent(onExit: () => Promise<void> | void): void {
  if (!process.send) return;
  // The channel is only a tripwire: it must not keep a finished process alive.
  process.channel?.unref();
  process.on('disconnect', () => {
    Promise.resolve(onExit()).finally(() => process.exit(1));
  });
}
