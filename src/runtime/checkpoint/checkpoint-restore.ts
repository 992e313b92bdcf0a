/**
 * A job restoring from a checkpoint or savepoint: checks that the state fits the plan (every
 * operator with state is still there, unless non-restored state is allowed; the same number
 * of key groups), then gives each subtask what it restores from, reading each keyed state
 * file once however many subtasks need it.
 */
import { WeirError } from '../../errors/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { KeyedStateSnapshot } from '../state/snapshot/keyed-state-snapshot.ts';
import type { CheckpointMetadata } from './checkpoint-metadata.ts';
import { assignSubtaskState } from './state-assignment.ts';
import type { CheckpointStorage } from './storage/checkpoint-storage.ts';
import type { LocalStateCopies } from './incremental/local-state-copies.ts';
import { decodeKeyedStateFile } from './keyed-state-file.ts';
import { childLocation, siblingLocation } from './storage/storage-location.ts';
import type { KeyGroupOrigin, OperatorRestore, SharedOrigin, SubtaskRestore } from './subtask-state.ts';
import { applyKeyGroupChanges, decodeDelta } from '../state/snapshot/key-group-changes.ts';
import { decodeKeyGroupState, encodeKeyGroupState } from '../state/snapshot/keyed-state-snapshot.ts';

export interface RestoreSettings {
  /** `execution.savepoint.ignore-unclaimed-state` / `--allow-non-restored-state`. */
  readonly allowNonRestoredState: boolean;
}

/** Why this state cannot be restored into this plan, or nothing when it can. */
export function checkRestorable(metadata: CheckpointMetadata, graph: JobGraph, settings: RestoreSettings, where: string): WeirError | undefined {
  const planOperators = new Map<string, number>();
  for (const v of graph.vertices) for (const id of v.chain) planOperators.set(id, v.maxParallelism);
  const missing = new Map<string, string | undefined>();
  for (const s of metadata.subtasks) {
    for (const op of s.operators) {
      const maxParallelism = planOperators.get(op.id);
      if (maxParallelism === undefined) {
        missing.set(op.id, op.uid);
        continue;
      }
      if (op.keyGroups.length > 0 && op.maxParallelism !== maxParallelism) {
        return new WeirError(
          'MAX_PARALLELISM_MISMATCH',
          `${where} was taken with max parallelism ${op.maxParallelism} for operator "${op.uid ?? op.id}", and the job now has ${maxParallelism}: keyed state is split into that many key groups and cannot be re-split; set the max parallelism back to ${op.maxParallelism}`,
          false,
        );
      }
    }
  }
  if (missing.size > 0 && !settings.allowNonRestoredState) {
    const ids = [...missing].map(([id, uid]) => (uid === undefined ? `"${id}" (an operator without uid)` : `"${uid}"`)).join(', ');
    return new WeirError(
      'STATE_NOT_RESTORED',
      `${where} holds state for operator(s) ${ids}, which the job no longer has (set .uid() to keep an operator's id across changes); restore with --allow-non-restored-state (execution.savepoint.ignore-unclaimed-state: true) to drop that state`,
      false,
    );
  }
  return undefined;
}

export class CheckpointRestore {
  private readonly files = new Map<string, Promise<Map<string, KeyedStateSnapshot>>>();

  constructor(
    private readonly storage: CheckpointStorage,
    /** The directory the metadata's files are relative to. */
    readonly dir: string,
    readonly metadata: CheckpointMetadata,
    private readonly graph: JobGraph,
    /** With local recovery: this TaskManager's copies of shared files, read before the storage's. */
    private readonly local?: LocalStateCopies,
  ) {}

  async forSubtask(vertexId: string, subtask: number): Promise<SubtaskRestore | undefined> {
    const vertex = this.graph.vertices.find((v) => v.id === vertexId);
    if (!vertex) return undefined;
    const assignment = assignSubtaskState(this.metadata.subtasks, { operatorIds: vertex.chain, parallelism: vertex.parallelism, maxParallelism: vertex.maxParallelism, subtask });
    const out = new Map<string, OperatorRestore>();
    for (const [id, a] of assignment) {
      const keyed: KeyedStateSnapshot[] = [];
      for (const file of a.keyedFiles) {
        const snapshot = (await this.read(file)).get(id);
        if (snapshot) keyed.push(snapshot);
      }
      const bases = new Map<number, { origin: SharedOrigin; bytes: Uint8Array }>();
      const deltas = new Map<number, { origin: SharedOrigin; bytes: Uint8Array }[]>();
      let maxParallelism = 0;
      for (const { name, checkpointId, size, keyGroups, deltaKeyGroups } of a.sharedFiles) {
        const snapshot = (await this.readShared(name, size)).get(id);
        if (!snapshot) throw new WeirError('CORRUPT_CHECKPOINT', `${childLocation(this.sharedDir, name)} holds no state of operator ${id}, which checkpoint ${this.metadata.checkpointId} reads from it`, false);
        maxParallelism = snapshot.maxParallelism;
        const origin: SharedOrigin = { jobId: this.metadata.jobId, name, checkpointId, size };
        // Only the listed key groups: the file may hold older versions of others.
        for (const kg of keyGroups) bases.set(kg, { origin, bytes: snapshotGroup(snapshot, kg, name) });
        for (const kg of deltaKeyGroups) {
          let chain = deltas.get(kg);
          if (!chain) deltas.set(kg, (chain = []));
          chain.push({ origin, bytes: snapshotGroup(snapshot, kg, name) });
        }
      }
      const shared = new Map<number, KeyGroupOrigin>();
      const groups = new Map<number, Uint8Array>();
      for (const [kg, base] of bases) {
        const chain = (deltas.get(kg) ?? []).sort((x, y) => x.origin.checkpointId - y.origin.checkpointId);
        deltas.delete(kg);
        shared.set(kg, { base: base.origin, deltas: chain.map((d) => d.origin), baseBytes: base.bytes.length, deltaBytes: chain.reduce((n, d) => n + d.bytes.length, 0) });
        groups.set(kg, chain.length === 0 ? base.bytes : applyChain(base.bytes, chain.map((d) => d.bytes), kg));
      }
      const orphan = deltas.keys().next();
      if (!orphan.done) throw new WeirError('CORRUPT_CHECKPOINT', `checkpoint ${this.metadata.checkpointId} lists deltas of key group ${orphan.value} of operator ${id} but no full encoding they apply to`, false);
      if (groups.size > 0) keyed.push({ maxParallelism, keyGroups: groups });
      out.set(id, { keyed, context: a.context, ...(shared.size > 0 ? { shared } : {}) });
    }
    return out;
  }

  /** Shared files lie in `shared/` beside the checkpoint's directory, wherever the checkpoint is read from. */
  private get sharedDir(): string {
    return siblingLocation(this.dir, 'shared');
  }

  private readShared(name: string, size: number): Promise<Map<string, KeyedStateSnapshot>> {
    const key = `shared/${name}`;
    let p = this.files.get(key);
    if (!p) this.files.set(key, (p = this.fetchShared(name, size)));
    return p;
  }

  private async fetchShared(name: string, size: number): Promise<Map<string, KeyedStateSnapshot>> {
    const where = childLocation(this.sharedDir, name);
    const copy = await this.local?.read(this.metadata.jobId, name, size);
    if (copy) {
      try {
        const decoded = decodeKeyedStateFile(copy, where);
        this.local!.reads.local++;
        return decoded;
      } catch (err) {
        // A damaged local copy is no reason to fail: the checkpoint storage has the file.
        if (!(err instanceof WeirError && err.code === 'CORRUPT_CHECKPOINT')) throw err;
      }
    }
    if (this.local) this.local.reads.remote++;
    return decodeKeyedStateFile(await this.storage.readStateFile(this.sharedDir, name), where);
  }

  private read(file: string): Promise<Map<string, KeyedStateSnapshot>> {
    let p = this.files.get(file);
    if (!p) this.files.set(file, (p = this.storage.readKeyedState(this.dir, file)));
    return p;
  }
}

/** A key group's full encoding with its deltas applied in order, encoded in full again (an empty group stays an empty one). */
function applyChain(base: Uint8Array, chain: readonly Uint8Array[], kg: number): Uint8Array {
  const state = applyKeyGroupChanges(decodeKeyGroupState(base, kg), chain.flatMap((bytes) => decodeDelta(bytes, kg)));
  return encodeKeyGroupState(state ?? { states: [], timers: [] });
}

function snapshotGroup(s: KeyedStateSnapshot, kg: number, file: string): Uint8Array {
  const bytes = s.keyGroups.get(kg);
  if (!bytes) throw new WeirError('CORRUPT_CHECKPOINT', `shared file ${file} lacks key group ${kg}, which the checkpoint reads from it`, false);
  return bytes;
}
