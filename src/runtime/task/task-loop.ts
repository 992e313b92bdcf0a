/**
 * The scheduling loop of the in-process executor: run every task that can make progress,
 * fire due processing-time timers, and when nothing can run, wait for the next wake-up
 * (with a VirtualClock: jump to it, which makes processing-time behaviour deterministic).
 */
import { WeirError } from '../../errors/index.ts';
import { VirtualClock } from './clock.ts';
import type { TaskGroup } from './task-group.ts';

const YIELD_EVERY_MS = 20;
/**
 * With remote channels, data and credit arrive only while the event loop runs: every
 * millisecond the loop keeps it waiting adds to the latency of every record in flight
 * (with buffer timeout 0 too), so it yields about once per round of task steps.
 */
const REMOTE_YIELD_EVERY_MS = 1;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runTasks(executor: TaskGroup): Promise<void> {
  const { tasks, clock } = executor;
  // Metrics see each task before and after it runs (busy, idle, backpressured time); per
  // step, never per record, and not at all when metrics are off.
  const metrics = executor.taskMetrics;
  const yieldEvery = executor.channels.remote ? REMOTE_YIELD_EVERY_MS : YIELD_EVERY_MS;
  let lastYield = performance.now();
  while (!executor.isCancelled()) {
    let progressed = false;
    let now = clock.now();
    metrics?.tick();
    for (const task of tasks) {
      if (task.asyncFailure !== undefined) throw task.asyncFailure;
      const runnable = task.canRun(now);
      metrics?.observe(task, runnable);
      if (!runnable) continue;
      const r = task.step();
      if (r) await r;
      metrics?.observe(task, task.canRun(clock.now()));
      progressed = true;
    }
    now = clock.now();
    for (const task of tasks) {
      // Only timers that fired are progress; a task that is merely ready again (a paced
      // source whose outputs are full) must not keep the loop spinning.
      if (task.nextTimerTime() <= now) {
        metrics?.observe(task, true);
        if (task.fireTimers(now) > 0) progressed = true;
        metrics?.observe(task, task.canRun(now));
      }
    }
    if (tasks.every((t) => t.finished)) return;
    if (performance.now() - lastYield > yieldEvery) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (progressed) continue;

    let next = Infinity;
    // Remote channels deliver data and credit outside this loop.
    let waitingOnIo = executor.channels.remote;
    for (const t of tasks) {
      next = Math.min(next, t.nextWakeTime());
      waitingOnIo ||= t.isWaitingOnIo();
    }
    if (waitingOnIo) {
      await Promise.race([executor.nextWake(), sleep(clock.virtual ? 1000 : Math.max(0, Math.min(next - now, 1000)))]);
    } else if (next === Infinity) {
      throw new WeirError('JOB_STALLED', 'internal: no task can make progress and none is waiting for time or I/O', false);
    } else if (clock instanceof VirtualClock) {
      clock.advanceTo(next);
    } else {
      await Promise.race([executor.nextWake(), sleep(Math.max(0, next - now))]);
    }
    lastYield = performance.now();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
