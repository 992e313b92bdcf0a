/**
 * What an S3 failure means to Weir: denied credentials and a missing bucket are for the
 * configuration to fix (not retriable), and say which bucket; anything else (an endpoint that
 * cannot be reached, a server error after the SDK's retries) is retriable storage trouble.
 * Messages never hold credentials: they are built from the bucket, the endpoint and the
 * error's name and message, which S3 does not fill with secrets.
 */
import type { ErrorCode } from '../../errors/index.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';

const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'Forbidden', 'CredentialsProviderError']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export function s3ErrorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as SdkError).name : undefined;
}

export function s3StatusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? (err as SdkError).$metadata?.httpStatusCode : undefined;
}

function unreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as SdkError & { errors?: unknown[] };
  if (e.code !== undefined && UNREACHABLE.has(e.code)) return true;
  if (e.name === 'TimeoutError') return true;
  return Array.isArray(e.errors) && e.errors.some(unreachable);
}

/**
 * `what` failed on `bucket` at `endpoint`. `fallback` is the code of retriable trouble
 * (CHECKPOINT_STORAGE_FAILED for checkpoints, SINK_COMMIT_FAILED for a sink's commit).
 */
export function s3Failure(err: unknown, what: string, bucket: string, endpoint: string, fallback: ErrorCode = 'CHECKPOINT_STORAGE_FAILED'): WeirError {
  if (err instanceof WeirError) return err;
  const name = s3ErrorName(err) ?? 'Error';
  const detail = `${name}: ${errorMessage(err)}`;
  if (DENIED.has(name) || s3StatusOf(err) === 403) {
    return new WeirError('STORAGE_ACCESS_DENIED', `${what}: access to bucket "${bucket}" at ${endpoint} was denied (${detail}); check s3.access-key and s3.secret-key, or the credentials the default chain finds`, false, { cause: err });
  }
  if (name === 'NoSuchBucket') {
    return new WeirError('STORAGE_BUCKET_NOT_FOUND', `${what}: bucket "${bucket}" does not exist at ${endpoint}; create it, or fix the location`, false, { cause: err });
  }
  if (unreachable(err)) {
    return new WeirError(fallback, `${what}: the S3 endpoint ${endpoint} cannot be reached (${(err as SdkError).code ?? name}), after retries`, true, { cause: err });
  }
  return new WeirError(fallback, `${what}: ${detail}`, true, { cause: err });
}
