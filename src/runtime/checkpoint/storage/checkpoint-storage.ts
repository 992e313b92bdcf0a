/**
 * Where checkpoints and savepoints live, whatever holds them (a file system, an S3 bucket).
 * Locations are strings: a plain path for files, a URI (`s3://bucket/prefix`) otherwise;
 * `storage-location.ts` joins and parses them. Layout under the configured base:
 * `<base>/<jobId>/chk-<n>/` holds each subtask's keyed state file and, written last,
 * `_metadata`; `<base>/<jobId>/shared/` holds files incremental checkpoints share. A reader
 * sees a whole file or none, and a checkpoint directory without `_metadata` does not exist.
 * Failures of the store are CHECKPOINT_STORAGE_FAILED (retriable); a file a checkpoint lists
 * that is gone is CORRUPT_CHECKPOINT; a pointer to nothing is CHECKPOINT_NOT_FOUND.
 */
import type { CheckpointMetadata } from '../checkpoint-metadata.ts';
import type { KeyedStateSnapshot } from '../../state/snapshot/keyed-state-snapshot.ts';

export interface CheckpointStorage {
  /** The configured base location (`state.checkpoints.dir`). */
  readonly baseDir: string;

  jobDir(jobId: string): string;
  checkpointDir(jobId: string, checkpointId: number): string;
  /** `<base>/<jobId>/shared`: files incremental checkpoints share, by name. */
  sharedDir(jobId: string): string;

  /** Prepares the job's locations; checkpoint directories are made by whoever writes first. */
  initJob(jobId: string): Promise<void>;

  /** Writes a file of a checkpoint in progress, whole; returns its size. */
  writeStateFile(checkpointDir: string, name: string, bytes: Uint8Array): Promise<number>;
  /** A file of a checkpoint, as written; a missing file is CORRUPT_CHECKPOINT. */
  readStateFile(checkpointDir: string, name: string): Promise<Uint8Array>;
  /** Completes a checkpoint or savepoint: its `_metadata`, last. */
  writeMetadata(checkpointDir: string, metadata: CheckpointMetadata): Promise<void>;
  /**
   * The checkpoint or savepoint at `pointer`: its directory, or its `_metadata` file.
   * Returns the directory its files are relative to.
   */
  readMetadata(pointer: string): Promise<{ dir: string; metadata: CheckpointMetadata }>;
  readKeyedState(checkpointDir: string, file: string): Promise<Map<string, KeyedStateSnapshot>>;
  /** Copies state files of a checkpoint into another directory of this storage: how a savepoint becomes self-contained. */
  copyStateFiles(fromDir: string, toDir: string, files: readonly string[]): Promise<void>;
  /** Names of the files directly in a directory (a checkpoint's, or `shared`); none when it does not exist. */
  listFiles(dir: string): Promise<string[]>;

  /** Writes a shared file whole; returns its size. */
  writeSharedFile(jobId: string, name: string, bytes: Uint8Array): Promise<number>;
  /** A shared file; a missing one is CORRUPT_CHECKPOINT. */
  readSharedFile(jobId: string, name: string): Promise<Uint8Array>;
  /** Deletes a shared file no retained checkpoint needs; deleting a missing one is no error. */
  deleteSharedFile(jobId: string, name: string): Promise<void>;

  /** Removes a checkpoint directory and everything in it (a subsumed, aborted or cancelled-with-the-job checkpoint). */
  discard(checkpointDir: string): Promise<void>;
  /** Removes a job's checkpoint directory when nothing in it is to be kept. */
  discardJob(jobId: string): Promise<void>;
  /** Ids of the job's checkpoints that completed (have `_metadata`), newest first. */
  completedCheckpointIds(jobId: string): Promise<number[]>;
  /** Releases what the storage holds open (connections); the storage is not used after. */
  close(): void;
}
