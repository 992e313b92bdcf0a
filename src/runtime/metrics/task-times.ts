/**
 * Where a subtask's time goes, as Flink splits it: busy (processing, or ready to), idle
 * (waiting for input, a timer or source I/O) and backpressured (output channels full). The
 * task loop reports state changes; the time between two changes belongs to the earlier state.
 */
export const BUSY = 0;
export const IDLE = 1;
export const BACK_PRESSURED = 2;
export type TaskTimeState = typeof BUSY | typeof IDLE | typeof BACK_PRESSURED;

export class TaskTimes {
  private state: TaskTimeState = IDLE;
  private since: number;
  private readonly totals = [0, 0, 0];

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
}
