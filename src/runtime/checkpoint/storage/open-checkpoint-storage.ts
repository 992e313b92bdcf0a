/**
 * Chooses the checkpoint storage for a location by its scheme (a path or `file://`, `s3://`),
 * and moves a savepoint's files between storages when its target is not where checkpoints go.
 */
import { parseS3Settings } from '../../s3/s3-settings.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { FileCheckpointStorage } from './file-checkpoint-storage.ts';
import { S3CheckpointStorage } from './s3-checkpoint-storage.ts';
import { normalizeLocation, schemeOf } from './storage-location.ts';

/** A storage rooted at `location`; `config` holds the job's configuration (credentials, endpoints). */
export function openCheckpointStorage(location: string, config: ReadonlyMap<string, string>): CheckpointStorage {
  const where = normalizeLocation(location);
  switch (schemeOf(where)) {
    case 'file':
      return new FileCheckpointStorage(where);
    case 's3':
      return new S3CheckpointStorage(where, parseS3Settings(config));
  }
}

/** Whether `location` is held by `storage` (the same kind of store), so files move within it. */
export function sameStorage(storage: CheckpointStorage, location: string): boolean {
  return schemeOf(storage.baseDir) === schemeOf(normalizeLocation(location));
}

/** Copies files from one storage's directory to another's, through memory (different kinds of store). */
export async function copyAcross(from: CheckpointStorage, fromDir: string, to: CheckpointStorage, toDir: string, files: readonly string[]): Promise<void> {
  for (const f of files) await to.writeStateFile(toDir, f, await from.readStateFile(fromDir, f));
}

/** The storage that holds `location`: `storage` itself when it does, else one opened for it; `release` closes what was opened. */
export function storageHolding(storage: CheckpointStorage, location: string, config: ReadonlyMap<string, string>): { storage: CheckpointStorage; release(): void } {
  if (sameStorage(storage, location)) return { storage, release: () => undefined };
  const opened = openCheckpointStorage(location, config);
  return { storage: opened, release: () => opened.close() };
}
