// ApiVersions 0-3: the APIs and version ranges this broker serves. Version 3 carries the
// client's software name and version, which Kafka validates.
import { Writer } from '../protocol/writer.ts';
import { API_VERSIONS, ApiKey } from '../protocol/api-keys.ts';
import type { ApiName } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { writeMessage } from '../protocol/schema.ts';
import { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/messages/core.ts';
import { defineApi } from './context.ts';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

const ranges = (Object.keys(ApiKey) as ApiName[]).map((name) => ({
  apiKey: ApiKey[name],
  minVersion: API_VERSIONS[name].min,
  maxVersion: API_VERSIONS[name].max,
}));

export const apiVersions = defineApi('ApiVersions', ApiVersionsRequest, ApiVersionsResponse, (req, { apiVersion }) => {
  if (apiVersion >= 3 && !(SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion))) {
    return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
  }
  return { errorCode: ErrorCode.NONE, apiKeys: ranges, throttleTimeMs: 0 };
});

/**
 * Kafka answers an ApiVersions request of a version it does not know with a v0 body carrying
 * UNSUPPORTED_VERSION and its version ranges, so the client can retry with one it supports.
 */
export function apiVersionsUnsupported(): Writer {
  return writeMessage(ApiVersionsResponse, new Writer(), { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: ranges, throttleTimeMs: 0 }, 0, false);
}
