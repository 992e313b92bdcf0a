/**
 * Where a subtask's time goes, as three quantities measured on their own:
 * - idle: waiting for input, a timer or source I/O, and backpressured: waiting for room in
 *   its output channels. The task loop reports state changes; the time between two changes
 *   belongs to the earlier state. The third state, READY, is neither: the task can run (it
 *   runs, waits for its turn on the thread, or waits for its own async writes).
 * - busy: the wall time spent inside the task's own work (a step of input or a source poll,
 *   its timers, its control messages) and waiting for async writes it started itself, as a
 *   Flink task blocked in a write call is busy. Only ever inside READY time.
 * Several tasks share one thread, so a task can be READY while another runs: that time is
 * none of the three, and busy + idle + backpressured falls short of the whole.
 */
export const READY = 0;
export const IDLE = 1;
export const BACK_PRESSURED = 2;
export type TaskTimeState = typeof READY | typeof IDLE | typeof BACK_PRESSURED;

export class TaskTimes {
  private state: TaskTimeState = IDLE;
  private since: number;
  private readonly totals = [0, 0, 0];
  /** Open periods of work: a step that started an async write ends before the write does. */
  private working = 0;
  private workingSince = 0;
  private busyTotal = 0;

  constructor(now: number) {
    this.since = now;
  }

  get current(): TaskTimeState {
    return this.state;
  }

  enter(state: TaskTimeState, now: number): void {
    if (state === this.state) return;
    this.totals[this.state]! += now - this.since;
    this.state = state;
    this.since = now;
  }

  /** Milliseconds spent in `state` up to `at` (including the ongoing period). */
  accumulated(state: TaskTimeState, at: number): number {
    const ongoing = this.state === state && at > this.since ? at - this.since : 0;
    return this.totals[state]! + ongoing;
  }

  /** The task's own work starts; periods may overlap (an async write outlives its step), and count once. */
  beginWork(now: number): void {
    if (this.working++ === 0) this.workingSince = now;
  }

  endWork(now: number): void {
    if (this.working === 0) return;
    if (--this.working === 0) this.busyTotal += now - this.workingSince;
  }

  /** Milliseconds of the task's own work up to `at` (including the ongoing period). */
  busy(at: number): number {
    const ongoing = this.working > 0 && at > this.workingSince ? at - this.workingSince : 0;
    return this.busyTotal + ongoing;
  }
}
