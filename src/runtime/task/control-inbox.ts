/**
 * A task's control inbox (Flink's mailbox): data is the task's default work, and everything
 * else that must reach a running task arrives here and runs on the task's own turn,
 * between batches: checkpoint triggers (at sources), checkpoint notifications and
 * cancellation. Due processing-time timers run on the same turn (StreamTask.runControl).
 */
import type { CheckpointBarrier } from '../stream-element.ts';

export type ControlMessage =
  /** Sources only: snapshot, then send this barrier downstream. */
  | { readonly kind: 'triggerCheckpoint'; readonly barrier: CheckpointBarrier }
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
