/**
 * Checkpoints in an S3 bucket (`s3://bucket/prefix`), in the layout CheckpointStorage
 * describes. An S3 PUT is atomic (a reader sees the whole object or none), so files are
 * written under their own names, and `_metadata`, written last, is what makes a checkpoint
 * exist; discarding deletes `_metadata` first, so a half-deleted checkpoint is no checkpoint.
 * Directories are key prefixes: nothing to create.
 */
import { METADATA_FILE, decodeMetadata, encodeMetadata } from '../checkpoint-metadata.ts';
import type { CheckpointMetadata } from '../checkpoint-metadata.ts';
import { decodeKeyedStateFile } from '../keyed-state-file.ts';
import type { KeyedStateSnapshot } from '../../state/snapshot/keyed-state-snapshot.ts';
import { WeirError } from '../../../errors/index.ts';
import { S3Objects } from '../../s3/s3-objects.ts';
import type { S3Settings } from '../../s3/s3-settings.ts';
import { dirPrefix, parseS3Uri } from '../../s3/s3-uri.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { childLocation } from './storage-location.ts';

export class S3CheckpointStorage implements CheckpointStorage {
  readonly baseDir: string;
  private readonly s3: S3Objects;

  constructor(baseDir: string, settings: S3Settings) {
    const { bucket, key } = parseS3Uri(baseDir);
    this.baseDir = key === '' ? `s3://${bucket}` : `s3://${bucket}/${key}`;
    this.s3 = new S3Objects(settings);
  }

  jobDir(jobId: string): string {
    return childLocation(this.baseDir, jobId);
  }

  checkpointDir(jobId: string, checkpointId: number): string {
    return childLocation(this.jobDir(jobId), `chk-${checkpointId}`);
  }

  sharedDir(jobId: string): string {
    return childLocation(this.jobDir(jobId), 'shared');
  }

  /** Finds a missing bucket or denied credentials before the first checkpoint. */
  async initJob(jobId: string): Promise<void> {
    await this.s3.checkBucket(parseS3Uri(this.jobDir(jobId)).bucket);
  }

  async writeStateFile(checkpointDir: string, name: string, bytes: Uint8Array): Promise<number> {
    const { bucket, key } = parseS3Uri(childLocation(checkpointDir, name));
    await this.s3.put(bucket, key, bytes);
    return bytes.byteLength;
  }

  async readStateFile(checkpointDir: string, name: string): Promise<Uint8Array> {
    const where = childLocation(checkpointDir, name);
    const { bucket, key } = parseS3Uri(where);
    const bytes = await this.s3.get(bucket, key);
    if (bytes === undefined) throw new WeirError('CORRUPT_CHECKPOINT', `${where}, a state file the checkpoint lists, is missing`, false);
    return bytes;
  }

  async writeMetadata(checkpointDir: string, metadata: CheckpointMetadata): Promise<void> {
    await this.writeStateFile(checkpointDir, METADATA_FILE, encodeMetadata(metadata));
  }

  async readMetadata(pointer: string): Promise<{ dir: string; metadata: CheckpointMetadata }> {
    const { bucket, key } = parseS3Uri(pointer);
    const metadataKey = key === METADATA_FILE || key.endsWith(`/${METADATA_FILE}`) ? key : `${dirPrefix(key)}${METADATA_FILE}`;
    const dirKey = metadataKey.slice(0, -METADATA_FILE.length).replace(/\/$/, '');
    const bytes = await this.s3.get(bucket, metadataKey);
    if (bytes === undefined) {
      const anything = (await this.s3.list(bucket, dirPrefix(dirKey))).keys.length > 0;
      throw new WeirError(
        'CHECKPOINT_NOT_FOUND',
        anything ? `${pointer} is not a checkpoint or savepoint: it has no ${METADATA_FILE} (an unfinished checkpoint, or another directory)` : `no checkpoint or savepoint at ${pointer}: nothing is stored there`,
        false,
      );
    }
    const dir = dirKey === '' ? `s3://${bucket}` : `s3://${bucket}/${dirKey}`;
    return { dir, metadata: decodeMetadata(bytes, `s3://${bucket}/${metadataKey}`) };
  }

  async readKeyedState(checkpointDir: string, file: string): Promise<Map<string, KeyedStateSnapshot>> {
    return decodeKeyedStateFile(await this.readStateFile(checkpointDir, file), childLocation(checkpointDir, file));
  }

  async copyStateFiles(fromDir: string, toDir: string, files: readonly string[]): Promise<void> {
    for (const f of files) {
      const from = parseS3Uri(childLocation(fromDir, f));
      const to = parseS3Uri(childLocation(toDir, f));
      await this.s3.copy(from.bucket, from.key, to.bucket, to.key);
    }
  }

  async listFiles(dir: string): Promise<string[]> {
    const { bucket, key } = parseS3Uri(dir);
    const prefix = dirPrefix(key);
    const { keys } = await this.s3.list(bucket, prefix, '/');
    return keys.map((k) => k.slice(prefix.length)).sort();
  }

  writeSharedFile(jobId: string, name: string, bytes: Uint8Array): Promise<number> {
    return this.writeStateFile(this.sharedDir(jobId), name, bytes);
  }

  readSharedFile(jobId: string, name: string): Promise<Uint8Array> {
    return this.readStateFile(this.sharedDir(jobId), name);
  }

  async deleteSharedFile(jobId: string, name: string): Promise<void> {
    const { bucket, key } = parseS3Uri(childLocation(this.sharedDir(jobId), name));
    await this.s3.delete(bucket, key);
  }

  async discard(checkpointDir: string): Promise<void> {
    const { bucket, key } = parseS3Uri(checkpointDir);
    const prefix = dirPrefix(key);
    const { keys } = await this.s3.list(bucket, prefix);
    const metadata = `${prefix}${METADATA_FILE}`;
    if (keys.includes(metadata)) await this.s3.delete(bucket, metadata);
    await this.s3.deleteKeys(bucket, keys.filter((k) => k !== metadata));
  }

  async discardJob(jobId: string): Promise<void> {
    await this.discard(this.jobDir(jobId));
  }

  async completedCheckpointIds(jobId: string): Promise<number[]> {
    const { bucket, key } = parseS3Uri(this.jobDir(jobId));
    const prefix = dirPrefix(key);
    const { prefixes } = await this.s3.list(bucket, prefix, '/');
    const ids: number[] = [];
    for (const p of prefixes) {
      const m = /^chk-(\d+)\/$/.exec(p.slice(prefix.length));
      if (m && (await this.s3.exists(bucket, `${p}${METADATA_FILE}`))) ids.push(Number(m[1]));
    }
    return ids.sort((a, b) => b - a);
  }

  close(): void {
    this.s3.close();
  }
}
