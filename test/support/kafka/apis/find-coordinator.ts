// FindCoordinator v2: this single broker coordinates every group and transactional id.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Handler } from './context.ts';

const GROUP = 0;
const TRANSACTION = 1;

export const findCoordinator: Handler = (r, { state, injectedError }) => {
  r.string(); // key: irrelevant with one broker
  const keyType = r.int8();
  const error = injectedError ?? (keyType === GROUP || keyType === TRANSACTION ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST);
  const w = new Writer().int32(0).int16(error).string(null);
  if (error !== ErrorCode.NONE) return w.int32(-1).string('').int32(-1);
  return w.int32(state.config.nodeId).string(state.config.host).int32(state.port);
};
