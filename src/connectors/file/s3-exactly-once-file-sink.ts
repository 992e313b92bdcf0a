/**
 * The file sink's exactly-once mode on S3 (`s3://bucket/prefix`), as Flink's S3 writer:
 * each checkpoint interval of a subtask is one multipart upload to the part's final key.
 * Records are buffered and sent as parts (8 MB each); the barrier sends the rest as the last
 * part and records the upload (its id and parts' ETags) in the checkpoint; the checkpoint's
 * completion completes the upload, which is when the object appears, whole. An upload of a
 * failed run that no completed checkpoint recorded is never completed, so it is never seen
 * (S3 drops it per the bucket's AbortIncompleteMultipartUpload lifecycle rule).
 *
 * Why not a pending object copied on commit: the copy writes every byte twice and is limited
 * to 5 GB per request, and the pending objects would show in listings of the prefix.
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { SinkWriter, SinkWriterContext } from '../../api/source.ts';
import { TwoPhaseCommitSink } from '../../api/sinks/two-phase-commit-sink.ts';
import { WeirError } from '../../errors/index.ts';
import { MULTIPART_PART_SIZE, S3Objects } from '../../runtime/s3/s3-objects.ts';
import { s3ErrorName, s3Failure } from '../../runtime/s3/s3-errors.ts';
import { parseS3Settings } from '../../runtime/s3/s3-settings.ts';
import { dirPrefix, parseS3Uri } from '../../runtime/s3/s3-uri.ts';

/** A transaction: one multipart upload to the part's final key (none yet while nothing was sent). */
export interface S3FileTransaction {
  readonly bucket: string;
  readonly key: string;
  uploadId: string | undefined;
  readonly parts: { PartNumber: number; ETag: string }[];
}

export class S3ExactlyOnceFileSink<T> extends TwoPhaseCommitSink<T, S3FileTransaction> {
  /** Bytes not sent yet, per transaction key (buffers do not go into checkpoints). */
  private readonly buffers = new Map<string, Buffer[]>();
  private readonly writers = new WeakMap<SinkWriterContext, { token: string; next: number }>();
  private s3: S3Objects | undefined;
  private openWriters = 0;

  constructor(
    private readonly location: string,
    private readonly format: (value: T) => string,
  ) {
    super();
    parseS3Uri(location);
  }

  override createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    // The client exists before the writer: a restored writer commits at once.
    this.s3 ??= new S3Objects(parseS3Settings(ctx.configuration ?? new Map()));
    this.openWriters++;
    const writer = super.createWriter(ctx);
    const release = () => {
      if (--this.openWriters === 0) {
        this.s3?.close();
        this.s3 = undefined;
      }
    };
    return {
      write: (values, timestamps) => writer.write(values, timestamps),
      snapshotState: (id) => writer.snapshotState!(id),
      notifyCheckpointComplete: (id) => writer.notifyCheckpointComplete!(id),
      finish: () => writer.finish!(),
      close: async () => {
        try {
          await writer.close?.();
        } finally {
          release();
        }
      },
    };
  }

  private client(): S3Objects {
    if (!this.s3) throw new WeirError('INTERNAL', 'the S3 file sink has no open writer', false);
    return this.s3;
  }

  protected beginTransaction(ctx: SinkWriterContext): S3FileTransaction {
    let w = this.writers.get(ctx);
    // A token per writer keeps the keys of a restarted run apart from a failed run's uploads.
    if (!w) this.writers.set(ctx, (w = { token: randomBytes(4).toString('hex'), next: 0 }));
    const { bucket, key } = parseS3Uri(this.location);
    const txn: S3FileTransaction = { bucket, key: `${dirPrefix(key)}part-${ctx.subtaskIndex}-${w.token}-${w.next++}.txt`, uploadId: undefined, parts: [] };
    this.buffers.set(txn.key, []);
    return txn;
  }

  protected async write(txn: S3FileTransaction, values: readonly T[]): Promise<void> {
    let text = '';
    for (const v of values) text += `${this.format(v)}\n`;
    const buffer = this.buffer(txn);
    buffer.push(Buffer.from(text));
    if (buffer.reduce((n, b) => n + b.length, 0) >= MULTIPART_PART_SIZE) await this.sendPart(txn);
  }

  protected async preCommit(txn: S3FileTransaction): Promise<void> {
    if (this.buffer(txn).length > 0) await this.sendPart(txn);
    this.buffers.delete(txn.key);
  }

  protected async commit(txn: S3FileTransaction): Promise<void> {
    // Nothing was written in the interval: no object.
    if (txn.uploadId === undefined) return;
    const s3 = this.client();
    try {
      await s3.client.send(new CompleteMultipartUploadCommand({ Bucket: txn.bucket, Key: txn.key, UploadId: txn.uploadId, MultipartUpload: { Parts: txn.parts } }));
    } catch (err) {
      // Committed before a failure: the checkpoint completed, and so did its upload.
      if (await s3.exists(txn.bucket, txn.key)) return;
      throw s3Failure(err, `cannot commit s3://${txn.bucket}/${txn.key}`, txn.bucket, s3.endpoint, 'SINK_COMMIT_FAILED');
    }
  }

  protected async abort(txn: S3FileTransaction): Promise<void> {
    this.buffers.delete(txn.key);
    if (txn.uploadId === undefined) return;
    const s3 = this.client();
    try {
      await s3.client.send(new AbortMultipartUploadCommand({ Bucket: txn.bucket, Key: txn.key, UploadId: txn.uploadId }));
    } catch (err) {
      if (s3ErrorName(err) !== 'NoSuchUpload') throw s3Failure(err, `cannot abort the upload of s3://${txn.bucket}/${txn.key}`, txn.bucket, s3.endpoint, 'SINK_COMMIT_FAILED');
    }
  }

  private buffer(txn: S3FileTransaction): Buffer[] {
    const b = this.buffers.get(txn.key);
    if (!b) throw new WeirError('INTERNAL', `no buffer for the transaction writing s3://${txn.bucket}/${txn.key}`, false);
    return b;
  }

  /** Sends what is buffered as the transaction's next part, starting its upload with the first. */
  private async sendPart(txn: S3FileTransaction): Promise<void> {
    const s3 = this.client();
    const body = Buffer.concat(this.buffer(txn));
    this.buffers.set(txn.key, []);
    try {
      if (txn.uploadId === undefined) {
        const created = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: txn.bucket, Key: txn.key, ContentType: 'text/plain; charset=utf-8' }));
        txn.uploadId = created.UploadId;
      }
      const PartNumber = txn.parts.length + 1;
      const out = await s3.client.send(new UploadPartCommand({ Bucket: txn.bucket, Key: txn.key, UploadId: txn.uploadId, PartNumber, Body: body }));
      txn.parts.push({ PartNumber, ETag: out.ETag ?? '' });
    } catch (err) {
      throw s3Failure(err, `cannot write s3://${txn.bucket}/${txn.key}`, txn.bucket, s3.endpoint, 'CHECKPOINT_STORAGE_FAILED');
    }
  }
}
