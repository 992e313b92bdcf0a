/** The synchronous part of a task's checkpoint: every chained operator's own state and keyed state. */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { OperatorSubtaskState } from '../checkpoint/subtask-state.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';

export async function snapshotChain(operators: readonly StreamOperator[], checkpointId: number): Promise<Map<string, OperatorSubtaskState>> {
  const out = new Map<string, OperatorSubtaskState>();
  for (const op of operators) {
    const operatorState = await op.handleSnapshotState(checkpointId);
    let keyed;
    try {
      keyed = op.setup.stateBackend?.snapshot();
    } catch (err) {
      // Typically a state value the state encoding cannot write (a function, a class with handles).
      throw op.fail(new WeirError('UNSERIALIZABLE_STATE', `the keyed state cannot be snapshotted: ${errorMessage(err)}`, true, { cause: err }));
    }
    const hasKeyed = keyed !== undefined && keyed.keyGroups.size > 0;
    if (operatorState === undefined && !hasKeyed) continue;
    out.set(op.setup.operatorId, { ...(hasKeyed ? { keyed } : {}), ...(operatorState ? { operatorState } : {}) });
  }
  return out;
}
