/**
 * The object operations Weir needs, on one S3 client: whole-object reads and writes (large
 * ones as multipart uploads), copies, listing with paging, and deleting by prefix. Every
 * failure comes out as a WeirError from s3-errors.ts.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { WeirError } from '../../errors/index.ts';
import { s3ErrorName, s3Failure, s3StatusOf } from './s3-errors.ts';
import { endpointName, s3ClientConfig } from './s3-settings.ts';
import type { S3Settings } from './s3-settings.ts';

/** Objects from this size on go up as multipart uploads, in parts of this size. */
export const MULTIPART_PART_SIZE = 8 * 1024 * 1024;

export interface S3Listing {
  /** Keys of objects directly under the prefix (all below it without a delimiter). */
  readonly keys: string[];
  /** With a delimiter: the "sub-directories", as prefixes ending in it. */
  readonly prefixes: string[];
}

export class S3Objects {
  readonly client: S3Client;
  readonly endpoint: string;

  constructor(readonly settings: S3Settings) {
    this.client = new S3Client(s3ClientConfig(settings));
    this.endpoint = endpointName(settings);
  }

  failure(err: unknown, what: string, bucket: string): WeirError {
    return s3Failure(err, what, bucket, this.endpoint);
  }

  async checkBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      // HEAD answers carry no error body: a 404 is the bucket's absence.
      if (s3StatusOf(err) === 404) throw this.failure(Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' }), `cannot use s3://${bucket}`, bucket);
      throw this.failure(err, `cannot use s3://${bucket}`, bucket);
    }
  }

  async put(bucket: string, key: string, bytes: Uint8Array): Promise<void> {
    try {
      if (bytes.byteLength < MULTIPART_PART_SIZE) {
        await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
        return;
      }
      await new Upload({ client: this.client, params: { Bucket: bucket, Key: key, Body: bytes }, partSize: MULTIPART_PART_SIZE, queueSize: 2 }).done();
    } catch (err) {
      throw this.failure(err, `cannot write s3://${bucket}/${key}`, bucket);
    }
  }

  /** The object's bytes, or undefined when there is no such object. */
  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) return new Uint8Array(0);
      return await out.Body.transformToByteArray();
    } catch (err) {
      if (s3ErrorName(err) === 'NoSuchKey') return undefined;
      throw this.failure(err, `cannot read s3://${bucket}/${key}`, bucket);
    }
  }

  async exists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if (s3StatusOf(err) === 404 && s3ErrorName(err) !== 'NoSuchBucket') return false;
      throw this.failure(err, `cannot look up s3://${bucket}/${key}`, bucket);
    }
  }

  /** A server-side copy (objects up to 5 GB, S3's limit for one copy). */
  async copy(fromBucket: string, fromKey: string, toBucket: string, toKey: string): Promise<void> {
    try {
      const source = `${fromBucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
      await this.client.send(new CopyObjectCommand({ Bucket: toBucket, Key: toKey, CopySource: source }));
    } catch (err) {
      throw this.failure(err, `cannot copy s3://${fromBucket}/${fromKey} to s3://${toBucket}/${toKey}`, toBucket);
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      throw this.failure(err, `cannot delete s3://${bucket}/${key}`, bucket);
    }
  }

  /** Every key under `prefix` (and, with a delimiter, the common prefixes), across all pages. */
  async list(bucket: string, prefix: string, delimiter?: string): Promise<S3Listing> {
    const keys: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (err) {
      throw this.failure(err, `cannot list s3://${bucket}/${prefix}`, bucket);
    }
    return { keys, prefixes };
  }

  /** Deletes these keys, a thousand per request (S3's most). */
  async deleteKeys(bucket: string, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      let failed: string[];
      try {
        const out = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        failed = (out.Errors ?? []).map((e) => `${e.Key ?? '?'} (${e.Code ?? 'error'})`);
      } catch (err) {
        throw this.failure(err, `cannot delete ${batch.length} object(s) under s3://${bucket}/`, bucket);
      }
      if (failed.length > 0) throw new WeirError('CHECKPOINT_STORAGE_FAILED', `cannot delete from s3://${bucket}: ${failed.join(', ')}`, true);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
