/** `s3://bucket/key/prefix` as a bucket and a key. */
import { WeirError } from '../../errors/index.ts';

export interface S3Address {
  readonly bucket: string;
  /** The key or key prefix, without leading or trailing slashes; '' for the bucket's root. */
  readonly key: string;
}

export function parseS3Uri(uri: string): S3Address {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (!m) throw new WeirError('INVALID_CONFIGURATION', `"${uri}" is not an S3 location: write s3://bucket/prefix`, false);
  return { bucket: m[1]!, key: m[2]!.replace(/^\/+|\/+$/g, '') };
}

export function s3Uri(a: S3Address): string {
  return a.key === '' ? `s3://${a.bucket}` : `s3://${a.bucket}/${a.key}`;
}

/** The prefix listing the objects "inside" a key, as if it were a directory. */
export function dirPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}
