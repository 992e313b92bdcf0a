/**
 * Checkpoints on a file system (the layout is CheckpointStorage's; `taskowned/` is kept
 * beside `shared/` as Flink does). Every file is written under a temporary name and renamed,
 * so a reader sees a whole file or none.
 */
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { METADATA_FILE, decodeMetadata, encodeMetadata } from '../checkpoint-metadata.ts';
import type { CheckpointMetadata } from '../checkpoint-metadata.ts';
import { decodeKeyedStateFile } from '../keyed-state-file.ts';
import type { KeyedStateSnapshot } from '../../state/snapshot/keyed-state-snapshot.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';

function storageFailed(what: string, err: unknown): WeirError {
  return new WeirError('CHECKPOINT_STORAGE_FAILED', `${what}: ${errorMessage(err)}`, true, { cause: err });
}

async function writeWhole(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.inprogress`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export class FileCheckpointStorage implements CheckpointStorage {
  constructor(readonly baseDir: string) {}

  jobDir(jobId: string): string {
    return join(this.baseDir, jobId);
  }

  checkpointDir(jobId: string, checkpointId: number): string {
    return join(this.jobDir(jobId), `chk-${checkpointId}`);
  }

  sharedDir(jobId: string): string {
    return join(this.jobDir(jobId), 'shared');
  }

  /** Creates the job's directories; checkpoint directories are made by whoever writes first. */
  async initJob(jobId: string): Promise<void> {
    try {
      for (const sub of ['shared', 'taskowned']) await mkdir(join(this.jobDir(jobId), sub), { recursive: true });
    } catch (err) {
      throw storageFailed(`cannot create the checkpoint directory ${this.jobDir(jobId)}`, err);
    }
  }

  /** Writes a file of a checkpoint in progress; returns its size. */
  async writeStateFile(checkpointDir: string, name: string, bytes: Uint8Array): Promise<number> {
    try {
      await mkdir(checkpointDir, { recursive: true });
      await writeWhole(join(checkpointDir, name), bytes);
      return bytes.byteLength;
    } catch (err) {
      throw storageFailed(`cannot write ${join(checkpointDir, name)}`, err);
    }
  }

  /** Completes a checkpoint or savepoint: its `_metadata`, last. */
  async writeMetadata(checkpointDir: string, metadata: CheckpointMetadata): Promise<void> {
    try {
      await mkdir(checkpointDir, { recursive: true });
      await writeWhole(join(checkpointDir, METADATA_FILE), encodeMetadata(metadata));
    } catch (err) {
      throw storageFailed(`cannot write ${join(checkpointDir, METADATA_FILE)}`, err);
    }
  }

  /**
   * The checkpoint or savepoint at `pointer`: its directory, or its `_metadata` file.
   * Returns the directory its files are relative to.
   */
  async readMetadata(pointer: string): Promise<{ dir: string; metadata: CheckpointMetadata }> {
    const path = pointer.startsWith('file://') ? pointer.slice('file://'.length) : pointer;
    let file = path;
    try {
      if ((await stat(path)).isDirectory()) file = join(path, METADATA_FILE);
    } catch {
      throw new WeirError('CHECKPOINT_NOT_FOUND', `no checkpoint or savepoint at ${pointer}: the path does not exist`, false);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing) throw new WeirError('CHECKPOINT_NOT_FOUND', `${pointer} is not a checkpoint or savepoint: it has no ${METADATA_FILE} (an unfinished checkpoint, or another directory)`, false);
      throw storageFailed(`cannot read ${file}`, err);
    }
    if (basename(file) !== METADATA_FILE) throw new WeirError('CHECKPOINT_NOT_FOUND', `${pointer} is not a checkpoint or savepoint: give its directory or its ${METADATA_FILE} file`, false);
    return { dir: dirname(file), metadata: decodeMetadata(bytes, file) };
  }

  async readStateFile(checkpointDir: string, name: string): Promise<Uint8Array> {
    const path = join(checkpointDir, name);
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new WeirError('CORRUPT_CHECKPOINT', `${path}, a state file the checkpoint lists, is missing`, false);
      throw storageFailed(`cannot read ${path}`, err);
    }
  }

  async readKeyedState(checkpointDir: string, file: string): Promise<Map<string, KeyedStateSnapshot>> {
    return decodeKeyedStateFile(await this.readStateFile(checkpointDir, file), join(checkpointDir, file));
  }

  async listFiles(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.endsWith('.inprogress')).map((e) => e.name).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storageFailed(`cannot list ${dir}`, err);
    }
  }

  writeSharedFile(jobId: string, name: string, bytes: Uint8Array): Promise<number> {
    return this.writeStateFile(this.sharedDir(jobId), name, bytes);
  }

  readSharedFile(jobId: string, name: string): Promise<Uint8Array> {
    return this.readStateFile(this.sharedDir(jobId), name);
  }

  async deleteSharedFile(jobId: string, name: string): Promise<void> {
    try {
      await rm(join(this.sharedDir(jobId), name), { force: true });
    } catch (err) {
      throw storageFailed(`cannot delete ${join(this.sharedDir(jobId), name)}`, err);
    }
  }

  /** Copies state files of a checkpoint into another directory: how a savepoint becomes self-contained. */
  async copyStateFiles(fromDir: string, toDir: string, files: readonly string[]): Promise<void> {
    try {
      await mkdir(toDir, { recursive: true });
      for (const f of files) await copyFile(join(fromDir, f), join(toDir, f));
    } catch (err) {
      throw storageFailed(`cannot copy the state of ${fromDir} to ${toDir}`, err);
    }
  }

  /** Removes a checkpoint directory (a subsumed, aborted or cancelled-with-the-job checkpoint). */
  async discard(checkpointDir: string): Promise<void> {
    try {
      await rm(checkpointDir, { recursive: true, force: true });
    } catch (err) {
      throw storageFailed(`cannot delete ${checkpointDir}`, err);
    }
  }

  /** Removes a job's checkpoint directory when nothing in it is to be kept. */
  async discardJob(jobId: string): Promise<void> {
    await this.discard(this.jobDir(jobId));
  }

  /** Ids of the job's checkpoints that completed (have `_metadata`), newest first. */
  async completedCheckpointIds(jobId: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.jobDir(jobId));
    } catch {
      return [];
    }
    const ids: number[] = [];
    for (const name of names) {
      const m = /^chk-(\d+)$/.exec(name);
      if (!m) continue;
      try {
        await stat(join(this.jobDir(jobId), name, METADATA_FILE));
        ids.push(Number(m[1]));
      } catch {
        // No _metadata: the checkpoint never completed.
      }
    }
    return ids.sort((a, b) => b - a);
  }

  close(): void {
    // Nothing is held open between calls.
  }
}
