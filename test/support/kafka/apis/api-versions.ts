// ApiVersions v2: the APIs and versions this broker accepts.
import { Writer } from '../protocol/writer.ts';
import { ApiKey, SUPPORTED_VERSION } from '../protocol/api-keys.ts';
import type { ApiName } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Handler } from './context.ts';

export const apiVersions: Handler = () =>
  new Writer()
    .int16(ErrorCode.NONE)
    .array(Object.keys(ApiKey) as ApiName[], (w, name) => {
      const v = SUPPORTED_VERSION[name];
      w.int16(ApiKey[name]).int16(v).int16(v);
    })
    .int32(0);

/**
 * Kafka answers an ApiVersions request of a version it does not know with a v0 body carrying
 * UNSUPPORTED_VERSION and its version ranges, so the client can retry with one it supports.
 */
export function apiVersionsUnsupported(): Writer {
  return new Writer().int16(ErrorCode.UNSUPPORTED_VERSION).array(Object.keys(ApiKey) as ApiName[], (w, name) => {
    const v = SUPPORTED_VERSION[name];
    w.int16(ApiKey[name]).int16(v).int16(v);
  });
}
