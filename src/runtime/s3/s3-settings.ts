/**
 * The S3 client Weir builds from the job's configuration: `s3.endpoint` (an S3-compatible
 * store; AWS when unset), `s3.path.style.access`, `s3.region`, `s3.access-key` and
 * `s3.secret-key` (else the SDK's default credential chain: environment, profile, instance
 * role), `s3.max-attempts` (the SDK's standard retries, with exponential backoff and jitter).
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { WeirError } from '../../errors/index.ts';

export const S3_KEYS = {
  endpoint: 's3.endpoint',
  pathStyle: 's3.path.style.access',
  region: 's3.region',
  accessKey: 's3.access-key',
  secretKey: 's3.secret-key',
  maxAttempts: 's3.max-attempts',
} as const;

export interface S3Settings {
  readonly endpoint: string | undefined;
  readonly pathStyle: boolean;
  readonly region: string;
  /** Static credentials; undefined: the SDK's default chain. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  readonly maxAttempts: number;
}

function invalid(key: string, what: string): WeirError {
  return new WeirError('INVALID_CONFIGURATION', `${key}: ${what}`, false);
}

export function parseS3Settings(config: ReadonlyMap<string, string>): S3Settings {
  const accessKey = config.get(S3_KEYS.accessKey);
  const secretKey = config.get(S3_KEYS.secretKey);
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw invalid(accessKey === undefined ? S3_KEYS.accessKey : S3_KEYS.secretKey, `set both ${S3_KEYS.accessKey} and ${S3_KEYS.secretKey}, or neither (to use the default credential chain)`);
  }
  const pathStyle = (config.get(S3_KEYS.pathStyle) ?? 'false').toLowerCase();
  if (pathStyle !== 'true' && pathStyle !== 'false') throw invalid(S3_KEYS.pathStyle, `"${pathStyle}" is not true or false`);
  const rawAttempts = config.get(S3_KEYS.maxAttempts) ?? '3';
  const maxAttempts = Number(rawAttempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw invalid(S3_KEYS.maxAttempts, `"${rawAttempts}" is not a whole number >= 1`);
  const endpoint = config.get(S3_KEYS.endpoint);
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) throw invalid(S3_KEYS.endpoint, `"${endpoint}" is not an http:// or https:// URL`);
  return {
    endpoint,
    pathStyle: pathStyle === 'true',
    // The SDK refuses to start without a region; an S3-compatible store rarely cares which.
    region: config.get(S3_KEYS.region) ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    credentials: accessKey === undefined || secretKey === undefined ? undefined : { accessKeyId: accessKey, secretAccessKey: secretKey },
    maxAttempts,
  };
}

export function s3ClientConfig(s: S3Settings): S3ClientConfig {
  return {
    endpoint: s.endpoint,
    forcePathStyle: s.pathStyle,
    region: s.region,
    credentials: s.credentials,
    maxAttempts: s.maxAttempts,
    retryMode: 'standard',
    // Checksums only where S3 demands them: S3-compatible stores differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** Where requests go, for messages. */
export function endpointName(s: S3Settings): string {
  return s.endpoint ?? `AWS S3 (${s.region})`;
}
