/**
 * Local recovery (`state.backend.local-recovery: true`, Flink's key): a TaskManager keeps a
 * copy of each shared file its subtasks upload under `taskmanager.state.local.root-dirs`
 * (default: TMPDIR/weir-local-state), in a directory of its own, and a restore on that
 * TaskManager reads a file from the copy when it has one of the listed size, the checkpoint
 * storage otherwise. Copies are a cache: one that is missing, of another size or unreadable
 * (files are framed with a CRC) is read from the checkpoint storage instead. A subtask keeps
 * only the copies of its last completed and pending checkpoints.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WeirError } from '../../../errors/index.ts';
import { FileCheckpointStorage } from '../storage/file-checkpoint-storage.ts';

export const LOCAL_RECOVERY_KEY = 'state.backend.local-recovery';
export const LOCAL_ROOT_KEY = 'taskmanager.state.local.root-dirs';

export class LocalStateCopies {
  private readonly files: FileCheckpointStorage;
  /** Files a restore read from a local copy, and from the checkpoint storage, since this was made. */
  readonly reads = { local: 0, remote: 0 };

  /** `owner` names the TaskManager (its id), so TaskManagers on one machine keep apart. */
  constructor(root: string, owner: string) {
    this.files = new FileCheckpointStorage(join(root, owner));
  }

  async keep(jobId: string, name: string, bytes: Uint8Array): Promise<void> {
    await this.files.writeSharedFile(jobId, name, bytes);
  }

  /** The copy of a shared file, when this TaskManager has one of `size` bytes. */
  async read(jobId: string, name: string, size: number): Promise<Uint8Array | undefined> {
    try {
      const bytes = await this.files.readSharedFile(jobId, name);
      return bytes.length === size ? bytes : undefined;
    } catch (err) {
      if (err instanceof WeirError && err.code === 'CORRUPT_CHECKPOINT') return undefined;
      throw err;
    }
  }

  /** Deletes the copies whose name starts with `prefix` (one subtask's) that are not in `keep`. */
  async retainOnly(jobId: string, prefix: (name: string) => boolean, keep: ReadonlySet<string>): Promise<void> {
    for (const name of await this.files.listFiles(this.files.sharedDir(jobId))) {
      if (prefix(name) && !keep.has(name)) await this.files.deleteSharedFile(jobId, name);
    }
  }
}

/** The TaskManager's local copies when local recovery is on; undefined otherwise. */
export function localStateCopies(config: ReadonlyMap<string, string>, owner: string): LocalStateCopies | undefined {
  const raw = config.get(LOCAL_RECOVERY_KEY);
  if (raw === undefined || raw.trim().toLowerCase() === 'false') return undefined;
  if (raw.trim().toLowerCase() !== 'true') throw new WeirError('INVALID_CONFIGURATION', `${LOCAL_RECOVERY_KEY}: "${raw}" is not true or false`, false);
  // Flink takes a list of directories; one is used.
  const root = config.get(LOCAL_ROOT_KEY)?.split(/[,;]/)[0]?.trim() || join(tmpdir(), 'weir-local-state');
  return new LocalStateCopies(root, owner);
}
