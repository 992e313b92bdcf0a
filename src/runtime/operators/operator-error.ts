import { WeirError, errorMessage } from '../../errors/index.ts';

/** An error attributed to the operator where it happened (name, uid, subtask). */
export class OperatorError extends WeirError {
  constructor(
    readonly operatorName: string,
    readonly operatorUid: string | undefined,
    readonly subtask: string,
    cause: unknown,
  ) {
    const code = cause instanceof WeirError ? cause.code : 'USER_FUNCTION_FAILED';
    const retriable = cause instanceof WeirError ? cause.retriable : true;
    super(code, `operator "${operatorName}"${operatorUid ? ` (uid "${operatorUid}")` : ''}, subtask ${subtask}, failed: ${errorMessage(cause)}`, retriable, { cause });
    this.name = 'OperatorError';
  }
}
