/**
 * The operators of one task, head first, and their lifecycle (Flink's OperatorChain):
 * restore and open (tail first, so an operator's downstream is ready before it emits),
 * snapshot every operator's state at a checkpoint, pass checkpoint notifications on, end
 * the chain in order, and close exactly the operators that were opened, once.
 */
import type { OperatorSubtaskState, SubtaskRestore } from '../checkpoint/subtask-state.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { FRESH_START } from '../state/operator-state.ts';

export class OperatorChain {
  /** Operators whose open was called: only those are closed. */
  private readonly opened = new Set<StreamOperator>();
  private closed = false;

  constructor(readonly operators: readonly StreamOperator[]) {}

  get head(): StreamOperator {
    return this.operators[0]!;
  }

  /** Keyed state into each keyed operator's backend, then each operator's own state; then open. */
  async initialize(restore: SubtaskRestore | undefined): Promise<void> {
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const op = this.operators[i]!;
      const r = restore?.get(op.setup.operatorId);
      if (r && r.keyed.length > 0) op.setup.stateBackend?.restore(r.keyed);
      await op.handleInitializeState(r?.context ?? FRESH_START);
      this.opened.add(op);
      await op.handleOpen();
    }
  }

  /**
   * Every operator's state at checkpoint `checkpointId`, by operator id (operators without
   * state left out). Keyed state is captured here and encoded later (snapshot-writer), so the
   * task's pause does not grow with the size of its state.
   */
  async snapshot(checkpointId: number): Promise<Map<string, OperatorSubtaskState>> {
    const out = new Map<string, OperatorSubtaskState>();
    try {
      for (const op of this.operators) {
        const operatorState = await op.handleSnapshotState(checkpointId);
        const keyed = op.setup.stateBackend?.captureSnapshot();
        const hasKeyed = keyed !== undefined && !keyed.empty;
        if (!hasKeyed) keyed?.discard();
        if (operatorState === undefined && !hasKeyed) continue;
        out.set(op.setup.operatorId, { ...(hasKeyed ? { keyed } : {}), ...(operatorState ? { operatorState } : {}) });
      }
    } catch (err) {
      // An operator failed its snapshot: the captures taken before it will never be written.
      for (const s of out.values()) s.keyed?.discard();
      throw err;
    }
    return out;
  }

  /**
   * A finished chain's answer to a checkpoint: every operator, with no state. Recorded, so a
   * restore knows the operators finished (a source whose readers all finished must not
   * start reading again) rather than never ran.
   */
  finishedState(): Map<string, OperatorSubtaskState> {
    return new Map(this.operators.map((op) => [op.setup.operatorId, { operatorState: { list: [], union: [] } }]));
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const op of this.operators) await op.handleCheckpointComplete(checkpointId);
  }

  async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    for (const op of this.operators) await op.handleCheckpointAborted(checkpointId);
  }

  /** All inputs ended: each operator in order emits what remains and ends its successor's input. */
  async finish(): Promise<void> {
    for (let i = 0; i < this.operators.length; i++) {
      if (i > 0) this.operators[i]!.handleEndInput(0);
      await this.operators[i]!.handleFinish();
    }
  }

  /** Closes every opened operator once, even when one fails; returns the first failure. */
  async close(): Promise<unknown> {
    if (this.closed) return undefined;
    this.closed = true;
    let first: unknown;
    for (const op of this.operators) {
      if (!this.opened.has(op)) continue;
      try {
        await op.handleClose();
      } catch (err) {
        first ??= err;
      }
    }
    return first;
  }
}
