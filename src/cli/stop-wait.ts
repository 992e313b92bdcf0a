/**
 * How long a JobManager stopped by a signal waits for its job's tasks to confirm their cancel.
 * When a deployment is deleted or replaced, its TaskManager pods get SIGTERM with the
 * JobManager's, and a terminating JobManager pod has left its Service, so the TaskManagers
 * neither confirm nor tell it they are gone: the job would wait for their heartbeat timeout,
 * holding the pod (and an upgrade that waits for it) as long. Like Flink's JobManager, which
 * suspends its job without waiting for the TaskManagers, it stops without them after this
 * wait; a TaskManager that is still there cancels its tasks once this JobManager is gone.
 */
export const STOP_WAIT_MS = 3_000;

/** Whether `done` settled within `ms`. */
export async function settledWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([done.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
