/**
 * Which input channels of a task have delivered the barrier of the checkpoint in progress,
 * and whether the task may snapshot. In EXACTLY_ONCE mode a channel that delivered the
 * barrier is blocked until every channel has (aligned barriers), so no record after the
 * barrier reaches the state before the snapshot; in AT_LEAST_ONCE mode nothing is blocked
 * and the task snapshots once the barrier came on every channel (Flink's barrier tracker).
 * A channel that has ended counts as having delivered every barrier. A barrier of a newer
 * checkpoint ends the alignment of an older one, which is then aborted. Pure bookkeeping:
 * the task polls `isBlocked` and acts on what `onBarrier` / `onEnded` return.
 */
import type { CheckpointBarrier } from '../stream-element.ts';

export type AlignmentStep =
  /** Nothing to do yet. */
  | { readonly kind: 'wait' }
  /** Every channel delivered `barrier`: snapshot now, then pass it on. */
  | { readonly kind: 'complete'; readonly barrier: CheckpointBarrier }
  /** A newer barrier arrived before `abortedId` was aligned: that checkpoint is given up. */
  | { readonly kind: 'abort'; readonly abortedId: number; readonly then: AlignmentStep };

const WAIT: AlignmentStep = { kind: 'wait' };

export class BarrierAlignment {
  private current: CheckpointBarrier | undefined;
  private readonly arrived: boolean[];
  private readonly ended: boolean[];
  /** The newest checkpoint this task has completed or aborted: older barriers are stale. */
  private lastDone = 0;

  constructor(private readonly channels: number) {
    this.arrived = new Array<boolean>(channels).fill(false);
    this.ended = new Array<boolean>(channels).fill(false);
  }

  /** Whether records on `channel` must wait (it delivered the barrier of an aligning exactly-once checkpoint). */
  isBlocked(channel: number): boolean {
    return this.current !== undefined && this.current.mode === 'EXACTLY_ONCE' && this.arrived[channel] === true;
  }

  /** The checkpoint being aligned, if any. */
  get pending(): number | undefined {
    return this.current?.checkpointId;
  }

  onBarrier(channel: number, barrier: CheckpointBarrier): AlignmentStep {
    const id = barrier.checkpointId;
    if (id <= this.lastDone) return WAIT;
    const current = this.current;
    if (current !== undefined && id < current.checkpointId) return WAIT;
    if (current !== undefined && id > current.checkpointId) {
      const abortedId = current.checkpointId;
      this.reset(abortedId);
      return { kind: 'abort', abortedId, then: this.onBarrier(channel, barrier) };
    }
    if (current === undefined) this.current = barrier;
    this.arrived[channel] = true;
    return this.check();
  }

  onEnded(channel: number): AlignmentStep {
    if (this.ended[channel]) return WAIT;
    this.ended[channel] = true;
    return this.current === undefined ? WAIT : this.check();
  }

  private check(): AlignmentStep {
    let missing = 0;
    for (let c = 0; c < this.channels; c++) if (!this.arrived[c] && !this.ended[c]) missing++;
    if (missing > 0) return WAIT;
    const barrier = this.current!;
    this.reset(barrier.checkpointId);
    return { kind: 'complete', barrier };
  }

  private reset(doneId: number): void {
    this.current = undefined;
    this.arrived.fill(false);
    this.lastDone = Math.max(this.lastDone, doneId);
  }
}
