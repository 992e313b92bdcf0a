/**
 * One subtask's side of incremental checkpoints. The unit is the key group: in its
 * canonical encoding (state/snapshot/keyed-state-snapshot.ts), which both backends write,
 * and with deltas (`state.backend.incremental.delta`), as a chain of that encoding and the
 * changes since (state/snapshot/key-group-changes.ts). Key groups unchanged since the last
 * checkpoint this subtask knows completed are referenced where they already lie in
 * `shared/`; the others go into one new shared file per subtask and checkpoint, as a delta
 * when the backend recorded the changes and the chain stays within the policy, in full
 * otherwise. Only a completed checkpoint becomes the base: the files of one that was
 * aborted may be deleted, so nothing may build on them; the changes of every snapshot after
 * the base are kept until a checkpoint that holds them completes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SharedStateRef } from '../checkpoint-metadata.ts';
import { encodeKeyedStateFile } from '../keyed-state-file.ts';
import type { CheckpointStorage } from '../storage/checkpoint-storage.ts';
import { encodeDelta } from '../../state/snapshot/key-group-changes.ts';
import type { KeyedStateSnapshot, SnapshotChanges } from '../../state/snapshot/keyed-state-snapshot.ts';
import type { SubtaskRestore } from '../subtask-state.ts';
import type { DeltaPolicy } from './delta-config.ts';
import type { LocalStateCopies } from './local-state-copies.ts';
import { sharedFileName } from './shared-state-registry.ts';
import { UnconfirmedChanges } from './unconfirmed-changes.ts';
import type { Epoch } from './unconfirmed-changes.ts';

/** Where one key group of one operator lies in `shared/`: its full encoding, then the deltas on it. */
interface Placed {
  readonly base: string;
  readonly deltas: readonly string[];
  readonly baseBytes: number;
  readonly deltaBytes: number;
  /** Of the group's full encoding, when it was hashed (not with changes to go by): equal hashes need no upload. */
  readonly hash?: string;
}

/** The key groups of one checkpoint, by `${operatorId}/${keyGroup}`, the files they lie in, and per operator the backend snapshot they are as of. */
interface Placement {
  readonly groups: Map<string, Placed>;
  readonly files: Map<string, { checkpointId: number; size: number }>;
  readonly epochs: Map<string, Epoch>;
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

function emptyPlacement(): Placement {
  return { groups: new Map(), files: new Map(), epochs: new Map() };
}

/** The references a checkpoint makes: file -> operator -> key groups read in full and as deltas. */
class References {
  readonly byFile = new Map<string, Map<string, { keyGroups: number[]; deltaKeyGroups: number[] }>>();

  add(file: string, operatorId: string, kg: number, delta: boolean): void {
    let ops = this.byFile.get(file);
    if (!ops) this.byFile.set(file, (ops = new Map()));
    let kgs = ops.get(operatorId);
    if (!kgs) ops.set(operatorId, (kgs = { keyGroups: [], deltaKeyGroups: [] }));
    (delta ? kgs.deltaKeyGroups : kgs.keyGroups).push(kg);
  }

  /** Every file of a chain. */
  chain(p: Placed, operatorId: string, kg: number): void {
    this.add(p.base, operatorId, kg, false);
    for (const d of p.deltas) this.add(d, operatorId, kg, true);
  }
}

export class IncrementalUploader {
  private base: Placement = emptyPlacement();
  private readonly pending = new Map<number, Placement>();
  private readonly changes = new UnconfirmedChanges();
  /** The base is what a restore read, not a checkpoint this subtask saw complete. */
  private seeded = false;

  constructor(
    private readonly vertexId: string,
    private readonly subtask: number,
    /** With local recovery: where this TaskManager keeps copies of what it uploads. */
    private readonly local?: LocalStateCopies,
    /** With deltas: when a chain is written in full again. */
    private readonly policy?: DeltaPolicy,
  ) {}

  /** A snapshot that is not uploaded (a savepoint's) still holds changes the next checkpoint's deltas need. */
  record(keyed: ReadonlyMap<string, KeyedStateSnapshot>): void {
    for (const [operatorId, snapshot] of keyed) if (snapshot.changes) this.changes.add(operatorId, snapshot.changes);
  }

  async upload(storage: CheckpointStorage, jobId: string, checkpointId: number, keyed: ReadonlyMap<string, KeyedStateSnapshot>): Promise<IncrementalUpload> {
    // First: a failed upload still leaves them for the next checkpoint.
    this.record(keyed);
    const placement = emptyPlacement();
    const written = new Map<string, { maxParallelism: number; keyGroups: Map<number, Uint8Array> }>();
    const refs = new References();
    const name = sharedFileName(checkpointId, this.vertexId, this.subtask, randomBytes(4).toString('hex'));
    const write = (operatorId: string, maxParallelism: number, kg: number, bytes: Uint8Array) => {
      let w = written.get(operatorId);
      if (!w) written.set(operatorId, (w = { maxParallelism, keyGroups: new Map() }));
      w.keyGroups.set(kg, bytes);
    };
    let stateSize = 0;
    for (const [operatorId, snapshot] of keyed) {
      const chain = this.changesSinceBase(operatorId, snapshot.changes);
      if (snapshot.changes) placement.epochs.set(operatorId, { backend: snapshot.changes.backend, seq: snapshot.changes.seq });
      for (const [kg, bytes] of snapshot.keyGroups) {
        stateSize += bytes.length;
        const key = `${operatorId}/${kg}`;
        const before = this.base.groups.get(key);
        let placed: Placed | undefined;
        let hash: string | undefined;
        if (before && chain) {
          // flatMap spreads arrays only: each Uint8Array stays one element.
          const since = chain.flatMap((byGroup) => byGroup.get(kg) ?? []);
          if (since.length === 0) placed = before;
          else {
            const delta = encodeDelta(since);
            if (this.withinPolicy(before, delta.length)) {
              write(operatorId, snapshot.maxParallelism, kg, delta);
              placed = { base: before.base, deltas: [...before.deltas, name], baseBytes: before.baseBytes, deltaBytes: before.deltaBytes + delta.length };
            }
          }
        } else if (!chain) {
          hash = hashOf(bytes);
          if (before && before.hash === hash) placed = before;
        }
        if (!placed) {
          write(operatorId, snapshot.maxParallelism, kg, bytes);
          placed = { base: name, deltas: [], baseBytes: bytes.length, deltaBytes: 0, ...(hash !== undefined ? { hash } : {}) };
        }
        placement.groups.set(key, placed);
        for (const f of [placed.base, ...placed.deltas]) if (f !== name) placement.files.set(f, this.base.files.get(f)!);
        refs.chain(placed, operatorId, kg);
      }
    }
    let uploaded = 0;
    if (written.size > 0) {
      const bytes = encodeKeyedStateFile(written);
      uploaded = await storage.writeSharedFile(jobId, name, bytes);
      placement.files.set(name, { checkpointId, size: uploaded });
      await this.local?.keep(jobId, name, bytes);
    }
    // Copies no checkpoint this subtask builds on needs: those of older checkpoints and of earlier attempts.
    await this.keepLocalCopies(jobId, new Set([...this.base.files.keys(), ...placement.files.keys(), ...[...this.pending.values()].flatMap((p) => [...p.files.keys()])]));
    this.pending.set(checkpointId, placement);
    const shared: SharedStateRef[] = [...refs.byFile].map(([file, ops]) => {
      const f = placement.files.get(file)!;
      return {
        name: file,
        checkpointId: f.checkpointId,
        size: f.size,
        operators: [...ops].map(([id, { keyGroups, deltaKeyGroups }]) => ({ id, keyGroups, ...(deltaKeyGroups.length > 0 ? { deltaKeyGroups } : {}) })),
      };
    });
    // Oldest file first, so `_metadata` does not depend on the order key groups came in.
    shared.sort((a, b) => a.checkpointId - b.checkpointId || a.name.localeCompare(b.name));
    return { shared, stateSize, uploaded };
  }

  /** The changes of every snapshot of the operator's backend since the base, oldest first; undefined when a delta cannot be built (no deltas, no base, a gap). */
  private changesSinceBase(operatorId: string, current: SnapshotChanges | undefined): ReadonlyMap<number, Uint8Array>[] | undefined {
    if (!this.policy || !current) return undefined;
    const epoch = this.base.epochs.get(operatorId);
    if (!epoch) return undefined;
    // A restored base belongs to the first backend that snapshots after the restore, no other.
    if (epoch.backend === undefined) this.base.epochs.set(operatorId, { backend: current.backend, seq: epoch.seq });
    return this.changes.since(operatorId, epoch, current);
  }

  /** Whether the chain may grow by a delta of `bytes` rather than be written in full. */
  private withinPolicy(p: Placed, bytes: number): boolean {
    const policy = this.policy!;
    return p.deltas.length + 1 <= policy.maxChainLength && p.deltaBytes + bytes <= policy.maxChainRatio * p.baseBytes;
  }

  /** Deletes this subtask's local copies other than `keep` (all of them when the job finished). */
  async keepLocalCopies(jobId: string, keep: ReadonlySet<string> = new Set()): Promise<void> {
    const own = `-${this.vertexId}-${this.subtask}-`;
    await this.local?.retainOnly(jobId, (n) => n.includes(own), keep);
  }

  /**
   * A restored subtask starts from the shared files of the checkpoint it restored (of this
   * job, which keeps them while that checkpoint is retained), so its first checkpoint uploads
   * only what changed since, not everything: its backends record changes from the restore on.
   */
  seed(jobId: string, restore: SubtaskRestore): void {
    if (this.base.groups.size > 0 || this.pending.size > 0) return;
    for (const [operatorId, r] of restore) {
      if (!r.shared) continue;
      let seeded = false;
      for (const snapshot of r.keyed) {
        for (const [kg, bytes] of snapshot.keyGroups) {
          const origin = r.shared.get(kg);
          if (!origin || origin.base.jobId !== jobId || origin.deltas.some((d) => d.jobId !== jobId)) continue;
          this.base.groups.set(`${operatorId}/${kg}`, {
            base: origin.base.name,
            deltas: origin.deltas.map((d) => d.name),
            baseBytes: origin.baseBytes,
            deltaBytes: origin.deltaBytes,
            hash: hashOf(bytes),
          });
          for (const f of [origin.base, ...origin.deltas]) this.base.files.set(f.name, { checkpointId: f.checkpointId, size: f.size });
          seeded = true;
        }
      }
      if (seeded) {
        this.base.epochs.set(operatorId, { backend: undefined, seq: 0 });
        this.seeded = true;
      }
    }
  }

  /** Checkpoint `id` completed: the next one builds on it; older ones in flight never will. */
  completed(id: number): void {
    const p = this.pending.get(id);
    if (p) {
      this.base = p;
      this.seeded = false;
      this.changes.confirmed(p.epochs);
    }
    for (const pendingId of [...this.pending.keys()]) if (pendingId <= id) this.pending.delete(pendingId);
  }

  aborted(id: number): void {
    this.pending.delete(id);
    // The restored checkpoint may not be retained (a path of this job's given to restore from): the coordinator then
    // declines what references its files, and the next checkpoint uploads everything rather than fail again.
    if (this.seeded) {
      this.base = emptyPlacement();
      this.seeded = false;
    }
  }
}
