/**
 * One subtask's side of incremental checkpoints. The unit is the key group in its
 * canonical encoding (state/snapshot/keyed-state-snapshot.ts), which both backends write:
 * a key group whose bytes hash as they did at the last checkpoint this subtask knows
 * completed is referenced where it already lies in `shared/`; the others go into one new
 * shared file per subtask and checkpoint. Only a completed checkpoint becomes the base: the
 * files of one that was aborted may be deleted, so nothing may build on them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SharedStateRef } from '../checkpoint-metadata.ts';
import { encodeKeyedStateFile } from '../keyed-state-file.ts';
import type { CheckpointStorage } from '../storage/checkpoint-storage.ts';
import type { KeyedStateSnapshot } from '../../state/snapshot/keyed-state-snapshot.ts';
import type { SubtaskRestore } from '../subtask-state.ts';
import type { LocalStateCopies } from './local-state-copies.ts';
import { sharedFileName } from './shared-state-registry.ts';

/** Where one key group of one operator lies in `shared/`. */
interface Placed {
  readonly hash: string;
  readonly file: string;
}

/** The key groups of one checkpoint, by `${operatorId}/${keyGroup}`, and the files they lie in. */
interface Placement {
  readonly groups: Map<string, Placed>;
  readonly files: Map<string, { checkpointId: number; size: number }>;
}

export interface IncrementalUpload {
  readonly shared: SharedStateRef[];
  /** Bytes of every key group the checkpoint holds. */
  readonly stateSize: number;
  /** Bytes written now: the new shared file, or 0 when nothing changed. */
  readonly uploaded: number;
}

function hashOf(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64');
}

export class IncrementalUploader {
  private base: Placement = { groups: new Map(), files: new Map() };
  private readonly pending = new Map<number, Placement>();
  /** The base is what a restore read, not a checkpoint this subtask saw complete. */
  private seeded = false;

  constructor(
    private readonly vertexId: string,
    private readonly subtask: number,
    /** With local recovery: where this TaskManager keeps copies of what it uploads. */
    private readonly local?: LocalStateCopies,
  ) {}

  async upload(storage: CheckpointStorage, jobId: string, checkpointId: number, keyed: ReadonlyMap<string, KeyedStateSnapshot>): Promise<IncrementalUpload> {
    const placement: Placement = { groups: new Map(), files: new Map() };
    const changed = new Map<string, { maxParallelism: number; keyGroups: Map<number, Uint8Array> }>();
    const refs = new Map<string, Map<string, number[]>>();
    const refer = (file: string, operatorId: string, kg: number) => {
      let ops = refs.get(file);
      if (!ops) refs.set(file, (ops = new Map()));
      let kgs = ops.get(operatorId);
      if (!kgs) ops.set(operatorId, (kgs = []));
      kgs.push(kg);
    };
    const name = sharedFileName(checkpointId, this.vertexId, this.subtask, randomBytes(4).toString('hex'));
    let stateSize = 0;
    for (const [operatorId, snapshot] of keyed) {
      for (const [kg, bytes] of snapshot.keyGroups) {
        stateSize += bytes.length;
        const key = `${operatorId}/${kg}`;
        const hash = hashOf(bytes);
        const before = this.base.groups.get(key);
        if (before && before.hash === hash) {
          placement.groups.set(key, before);
          placement.files.set(before.file, this.base.files.get(before.file)!);
          refer(before.file, operatorId, kg);
          continue;
        }
        let c = changed.get(operatorId);
        if (!c) changed.set(operatorId, (c = { maxParallelism: snapshot.maxParallelism, keyGroups: new Map() }));
        c.keyGroups.set(kg, bytes);
        placement.groups.set(key, { hash, file: name });
        refer(name, operatorId, kg);
      }
    }
    let uploaded = 0;
    if (changed.size > 0) {
      const bytes = encodeKeyedStateFile(changed);
      uploaded = await storage.writeSharedFile(jobId, name, bytes);
      placement.files.set(name, { checkpointId, size: uploaded });
      await this.local?.keep(jobId, name, bytes);
    }
    // Copies no checkpoint this subtask builds on needs: those of older checkpoints and of earlier attempts.
    await this.keepLocalCopies(jobId, new Set([...this.base.files.keys(), ...placement.files.keys(), ...[...this.pending.values()].flatMap((p) => [...p.files.keys()])]));
    this.pending.set(checkpointId, placement);
    const shared: SharedStateRef[] = [...refs].map(([file, ops]) => {
      const f = placement.files.get(file)!;
      return { name: file, checkpointId: f.checkpointId, size: f.size, operators: [...ops].map(([id, keyGroups]) => ({ id, keyGroups })) };
    });
    // Oldest file first, so `_metadata` does not depend on the order key groups came in.
    shared.sort((a, b) => a.checkpointId - b.checkpointId || a.name.localeCompare(b.name));
    return { shared, stateSize, uploaded };
  }

  /** Deletes this subtask's local copies other than `keep` (all of them when the job finished). */
  async keepLocalCopies(jobId: string, keep: ReadonlySet<string> = new Set()): Promise<void> {
    const own = `-${this.vertexId}-${this.subtask}-`;
    await this.local?.retainOnly(jobId, (n) => n.includes(own), keep);
  }

  /**
   * A restored subtask starts from the shared files of the checkpoint it restored (of this
   * job, which keeps them while that checkpoint is retained), so its first checkpoint uploads
   * only what changed since, not everything.
   */
  seed(jobId: string, restore: SubtaskRestore): void {
    if (this.base.groups.size > 0 || this.pending.size > 0) return;
    for (const [operatorId, r] of restore) {
      if (!r.shared) continue;
      for (const snapshot of r.keyed) {
        for (const [kg, bytes] of snapshot.keyGroups) {
          const origin = r.shared.get(kg);
          if (!origin || origin.jobId !== jobId) continue;
          this.base.groups.set(`${operatorId}/${kg}`, { hash: hashOf(bytes), file: origin.name });
          this.base.files.set(origin.name, { checkpointId: origin.checkpointId, size: origin.size });
          this.seeded = true;
        }
      }
    }
  }

  /** Checkpoint `id` completed: the next one builds on it; older ones in flight never will. */
  completed(id: number): void {
    const p = this.pending.get(id);
    if (p) {
      this.base = p;
      this.seeded = false;
    }
    for (const pendingId of [...this.pending.keys()]) if (pendingId <= id) this.pending.delete(pendingId);
  }

  aborted(id: number): void {
    this.pending.delete(id);
    // The restored checkpoint may not be retained (a path of this job's given to restore from): the coordinator then
    // declines what references its files, and the next checkpoint uploads everything rather than fail again.
    if (this.seeded) {
      this.base = { groups: new Map(), files: new Map() };
      this.seeded = false;
    }
  }
}
