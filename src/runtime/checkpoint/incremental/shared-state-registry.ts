/**
 * The JobManager's count of how many retained checkpoints reference each shared file
 * (Flink's SharedStateRegistry). A file goes when the last retained checkpoint that needs
 * it is subsumed. The counts live only in memory: a JobManager that takes over rebuilds them
 * from the retained checkpoints' `_metadata`, which list every file they read. Pure: it says
 * which files to delete, the coordinator deletes them.
 */
import type { CheckpointMetadata, SharedStateRef } from '../checkpoint-metadata.ts';
import { sharedFilesOf } from '../checkpoint-metadata.ts';

export class SharedStateRegistry {
  private readonly counts = new Map<string, number>();

  /** A checkpoint completed (or was recovered as retained): its files are needed. */
  register(m: CheckpointMetadata): void {
    for (const name of sharedFilesOf(m).keys()) this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** A checkpoint is no longer retained; returns the files no retained checkpoint needs now. */
  release(m: CheckpointMetadata): string[] {
    const unused: string[] = [];
    for (const name of sharedFilesOf(m).keys()) {
      const n = (this.counts.get(name) ?? 0) - 1;
      if (n > 0) {
        this.counts.set(name, n);
        continue;
      }
      this.counts.delete(name);
      unused.push(name);
    }
    return unused;
  }

  /** Whether a retained checkpoint references the file. */
  has(name: string): boolean {
    return this.counts.has(name);
  }

  /** Retained checkpoints after a JobManager restart: the counts start over from their metadata. */
  rebuild(retained: readonly CheckpointMetadata[]): void {
    this.counts.clear();
    for (const m of retained) this.register(m);
  }

  /**
   * Files a completing checkpoint references that neither it wrote nor a retained checkpoint
   * keeps: a subtask built on a checkpoint it had not yet learned was subsumed, whose files
   * are gone or going. Such a checkpoint cannot complete.
   */
  missing(m: CheckpointMetadata): SharedStateRef[] {
    return [...sharedFilesOf(m).values()].filter((r) => r.checkpointId !== m.checkpointId && !this.counts.has(r.name));
  }

  /** Files written for checkpoint `id` that no retained checkpoint references: what an aborted checkpoint leaves. */
  writtenFor(id: number, refs: readonly SharedStateRef[]): string[] {
    return [...new Set(refs.filter((r) => r.checkpointId === id && !this.counts.has(r.name)).map((r) => r.name))];
  }

  /** Names in `shared/` written before checkpoint `nextId` that no retained checkpoint references (left by a JobManager that died mid-checkpoint). */
  orphans(names: readonly string[], nextId: number): string[] {
    return names.filter((n) => {
      const id = createdBy(n);
      return id !== undefined && id < nextId && !this.counts.has(n);
    });
  }
}

/** Shared file names start with the id of the checkpoint that wrote them. */
export function sharedFileName(checkpointId: number, vertexId: string, subtask: number, unique: string): string {
  return `${checkpointId}-${vertexId}-${subtask}-${unique}.kgs`;
}

function createdBy(name: string): number | undefined {
  const m = /^(\d+)-.*\.kgs$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
