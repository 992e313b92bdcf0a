/**
 * The scheduling loop of a task group: run every task that can make progress (its control
 * messages first, then data), fire due processing-time timers, and when nothing can run,
 * wait for the next wake-up (with a VirtualClock: jump to it, which makes processing-time
 * behaviour deterministic). Ends when every task is done (finished or cancelled); a task
 * that fails ends it with the failure, the task noted in `group.failedTask`.
 */
import { WeirError } from '../../errors/index.ts';
import { VirtualClock } from './clock.ts';
import type { StreamTask } from './stream-task.ts';
import type { TaskGroup } from './task-group.ts';

const YIELD_EVERY_MS = 20;
/**
 * With remote channels, data and credit arrive only while the event loop runs: every
 * millisecond the loop keeps it waiting adds to the latency of every record in flight
 * (with buffer timeout 0 too), so it yields about once per round of task steps.
 */
const REMOTE_YIELD_EVERY_MS = 1;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `work` for `task`, noting a failure as the task's. Returns a promise only when the
 * work does: a step that completes synchronously must not cost a microtask turn.
 */
function on<T>(group: TaskGroup, task: StreamTask, work: () => Promise<T> | T): Promise<T> | T {
  const blame = (err: unknown): never => {
    group.failedTask = task;
    throw err;
  };
  try {
    const r = work();
    return r instanceof Promise ? r.catch(blame) : r;
  } catch (err) {
    return blame(err);
  }
}

export async function runTasks(group: TaskGroup): Promise<void> {
  const { tasks, clock } = group;
  // Metrics see each task before and after it runs: they measure its own work (busy time)
  // and note whether it is idle or backpressured; per step, never per record, and not at
  // all when metrics are off.
  const metrics = group.taskMetrics;
  const yieldEvery = group.channels.remote ? REMOTE_YIELD_EVERY_MS : YIELD_EVERY_MS;
  let lastYield = performance.now();
  for (;;) {
    let progressed = false;
    let now = clock.now();
    metrics?.tick();
    for (const task of tasks) {
      if (task.asyncFailure !== undefined) {
        group.failedTask = task;
        throw task.asyncFailure;
      }
      if (task.inbox.size > 0) {
        metrics?.working(task);
        const m = on(group, task, () => task.runMessages());
        if (m) await m;
        metrics?.worked(task, true);
        progressed = true;
      }
      if (!task.canRun(now)) {
        metrics?.observe(task, false);
        continue;
      }
      metrics?.working(task);
      const r = on(group, task, () => task.step());
      if (r) await r;
      metrics?.worked(task, task.canRun(clock.now()));
      progressed = true;
    }
    now = clock.now();
    for (const task of tasks) {
      // Only timers that fired are progress; a task that is merely ready again (a paced
      // source whose outputs are full) must not keep the loop spinning.
      if (task.nextTimerTime() <= now) {
        metrics?.working(task);
        let fired = on(group, task, () => task.fireTimers(now));
        if (typeof fired !== 'number') fired = await fired;
        if (fired > 0) progressed = true;
        metrics?.worked(task, task.canRun(now));
      }
    }
    if (tasks.every((t) => t.done)) return;
    if (performance.now() - lastYield > yieldEvery) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (progressed) continue;

    let next = Infinity;
    // Remote channels deliver data and credit outside this loop.
    let waitingOnIo = group.channels.remote;
    for (const t of tasks) {
      next = Math.min(next, t.nextWakeTime());
      waitingOnIo ||= t.isWaitingOnIo();
    }
    if (waitingOnIo) {
      await wakeOrSleep(group, clock.virtual ? 1000 : Math.max(0, Math.min(next - now, 1000)));
    } else if (next === Infinity) {
      throw new WeirError('JOB_STALLED', 'internal: no task can make progress and none is waiting for time or I/O', false);
    } else if (clock instanceof VirtualClock) {
      clock.advanceTo(next);
    } else {
      await wakeOrSleep(group, Math.max(0, next - now));
    }
    lastYield = performance.now();
  }
}

/**
 * Waits for the group's next wake-up or `ms`, whichever comes first. The timer is cleared
 * when the wake-up wins: left pending, every wake-up would add a timer, and the last one
 * (up to the next processing-time timer, possibly far off) would keep the process alive
 * after the job has ended.
 */
async function wakeOrSleep(group: TaskGroup, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([group.nextWake(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
