/**
 * A task's control inbox (Flink's mailbox): data is the task's default work, and everything
 * else that must reach a running task arrives here and runs on the task's own turn,
 * between batches: checkpoint triggers, checkpoint notifications and
 * cancellation. Due processing-time timers run on the same turn (StreamTask.runControl).
 */
import type { CheckpointBarrier } from '../stream-element.ts';

export type ControlMessage =
  /**
   * Every task: a source snapshots and sends this barrier downstream; a task whose input
   * ended, or that finished, snapshots at once; any other waits for the barrier in band.
   */
  | { readonly kind: 'triggerCheckpoint'; readonly barrier: CheckpointBarrier }
  /**
   * Sources only, before a stop-with-savepoint (Flink's): read no more; with `drain`, first
   * emit the final watermark so every event-time timer and window fires before the savepoint.
   */
  | { readonly kind: 'suspendSource'; readonly drain: boolean }
  /** Sources only: the stop failed, read on. */
  | { readonly kind: 'resumeSource' }
  | { readonly kind: 'checkpointComplete'; readonly checkpointId: number }
  | { readonly kind: 'checkpointAborted'; readonly checkpointId: number }
  | { readonly kind: 'cancel' };

export class ControlInbox {
  private readonly messages: ControlMessage[] = [];

  constructor(private readonly wake: () => void) {}

  post(message: ControlMessage): void {
    this.messages.push(message);
    this.wake();
  }

  get size(): number {
    return this.messages.length;
  }

  take(): ControlMessage | undefined {
    return this.messages.shift();
  }
}
