// FindCoordinator 1-4: this single broker coordinates every group and transactional id;
// v4 looks up a batch of keys at once.
import { ErrorCode } from '../protocol/errors.ts';
import { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/messages/groups.ts';
import { defineApi } from './context.ts';

const GROUP = 0;
const TRANSACTION = 1;

export const findCoordinator = defineApi('FindCoordinator', FindCoordinatorRequest, FindCoordinatorResponse, (req, { state, injectedError }) => {
  const error = injectedError ?? (req.keyType === GROUP || req.keyType === TRANSACTION ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST);
  const ok = error === ErrorCode.NONE;
  const node = { nodeId: ok ? state.config.nodeId : -1, host: ok ? state.config.host : '', port: ok ? state.port : -1 };
  return {
    throttleTimeMs: 0,
    errorCode: error,
    errorMessage: null,
    ...node,
    coordinators: req.coordinatorKeys.map((key) => ({ key, ...node, errorCode: error, errorMessage: null })),
  };
});
