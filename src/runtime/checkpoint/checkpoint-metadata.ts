/**
 * What a completed checkpoint or savepoint is: its `_metadata`, written last, lists every
 * subtask's state. Operator state (source positions, pending transactions) is small and
 * lives here; keyed state lives in one file per subtask beside it, named relative to the
 * checkpoint's directory so a savepoint can be moved or copied and still restore.
 */
import { WeirError } from '../../errors/index.ts';
import { frameValue, unframeValue } from './storage/framed-value.ts';

export const METADATA_FILE = '_metadata';
const MAGIC = 'WEIRMETA';
/**
 * 2 added shared state files (incremental checkpoints) and the checkpointed size; 3 added
 * the key groups a shared file holds deltas of. 1 and 2 are still read.
 */
const FORMAT_VERSION = 3;

/** One operator's state in one subtask. */
export interface OperatorStateHandle {
  /** The operator id (derived from `.uid()` when set). */
  readonly id: string;
  /** The operator's `.uid()`, so errors can name it; none when it has none. */
  readonly uid: string | undefined;
  /** Key groups this subtask held state or timers in, with the job's max parallelism. */
  readonly keyGroups: readonly number[];
  readonly maxParallelism: number;
  readonly list: readonly unknown[];
  readonly union: readonly unknown[];
}

/**
 * A file in `<jobId>/shared/` that holds keyed state of an incremental checkpoint, and
 * which of its key groups this checkpoint takes from it: a later file may hold a newer
 * version of a key group an older one also holds, and only the listed one counts. A key
 * group is a chain: its full encoding (in `keyGroups` of one file) and the deltas on top
 * of it (in `deltaKeyGroups` of later files), applied in the order of the checkpoints
 * that wrote them (a subtask writes one file per checkpoint, so the order is strict).
 */
export interface SharedStateRef {
  readonly name: string;
  /** The checkpoint that wrote the file. */
  readonly checkpointId: number;
  /** Bytes of the whole file. */
  readonly size: number;
  /** By operator id: the key groups read from this file, in full, and as deltas (none: absent). */
  readonly operators: readonly { readonly id: string; readonly keyGroups: readonly number[]; readonly deltaKeyGroups?: readonly number[] }[];
}

/** One subtask's acknowledged state. */
export interface SubtaskStateHandle {
  readonly vertexId: string;
  readonly subtask: number;
  /** The vertex's parallelism when the snapshot was taken. */
  readonly parallelism: number;
  /** The file with the subtask's keyed state, relative to the checkpoint directory; none without keyed state. */
  readonly file: string | undefined;
  /** Bytes of state the subtask holds at this checkpoint (Flink's state_size). */
  readonly stateSize: number;
  readonly operators: readonly OperatorStateHandle[];
  /** Shared files the keyed state is in (incremental checkpoints); none for a full one. */
  readonly shared?: readonly SharedStateRef[];
  /** Bytes this checkpoint uploaded (Flink's checkpointed_size); stateSize when absent (a full one). */
  readonly checkpointedSize?: number;
}

export interface CheckpointMetadata {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  readonly subtasks: readonly SubtaskStateHandle[];
}

export function encodeMetadata(m: CheckpointMetadata): Uint8Array {
  return frameValue(MAGIC, [FORMAT_VERSION, m.jobId, m.checkpointId, m.timestamp, m.savepoint, m.subtasks.map((s) => [s.vertexId, s.subtask, s.parallelism, s.file ?? null, s.stateSize, s.operators.map((o) => [o.id, o.keyGroups, o.maxParallelism, o.list, o.union, o.uid ?? null]), (s.shared ?? []).map(encodeShared), s.checkpointedSize ?? null])]);
}

function encodeShared(r: SharedStateRef): unknown[] {
  return [r.name, r.checkpointId, r.size, r.operators.map((o) => [o.id, o.keyGroups, o.deltaKeyGroups ?? []])];
}

function decodeShared([name, checkpointId, size, operators]: unknown[]): SharedStateRef {
  return {
    name: name as string,
    checkpointId: checkpointId as number,
    size: size as number,
    // Format 2 has no third element.
    operators: (operators as [string, number[], number[]?][]).map(([id, keyGroups, deltaKeyGroups]) => ({ id, keyGroups, ...(deltaKeyGroups && deltaKeyGroups.length > 0 ? { deltaKeyGroups } : {}) })),
  };
}

export function decodeMetadata(bytes: Uint8Array, where: string): CheckpointMetadata {
  const framed = unframeValue(MAGIC, bytes);
  const corrupt = (problem: string) => new WeirError('CORRUPT_CHECKPOINT', `${where} is not a readable checkpoint or savepoint: ${problem}`, false);
  if ('problem' in framed) throw corrupt(framed.problem);
  const v = framed.value;
  if (!Array.isArray(v) || v.length !== 6) throw corrupt('its content has the wrong shape');
  if (v[0] !== FORMAT_VERSION && v[0] !== 2 && v[0] !== 1) throw corrupt(`format version ${String(v[0])} is not one this version reads (${FORMAT_VERSION})`);
  const [, jobId, checkpointId, timestamp, savepoint, subtasks] = v as [number, string, number, number, boolean, unknown[][]];
  return {
    jobId,
    checkpointId,
    timestamp,
    savepoint,
    subtasks: subtasks.map(([vertexId, subtask, parallelism, file, stateSize, operators, shared, checkpointedSize]) => ({
      vertexId: vertexId as string,
      subtask: subtask as number,
      parallelism: parallelism as number,
      file: (file as string | null) ?? undefined,
      stateSize: stateSize as number,
      operators: (operators as unknown[][]).map(([id, keyGroups, maxParallelism, list, union, uid]) => ({
        id: id as string,
        uid: (uid as string | null) ?? undefined,
        keyGroups: keyGroups as number[],
        maxParallelism: maxParallelism as number,
        list: list as unknown[],
        union: union as unknown[],
      })),
      ...(Array.isArray(shared) && shared.length > 0 ? { shared: (shared as unknown[][]).map(decodeShared) } : {}),
      ...(typeof checkpointedSize === 'number' ? { checkpointedSize } : {}),
    })),
  };
}

/** The shared files a checkpoint references, by name. */
export function sharedFilesOf(m: CheckpointMetadata): Map<string, SharedStateRef> {
  const out = new Map<string, SharedStateRef>();
  for (const s of m.subtasks) for (const r of s.shared ?? []) out.set(r.name, r);
  return out;
}

/** Bytes of state a checkpoint holds: keyed files plus operator state as stored. */
export function checkpointSize(m: CheckpointMetadata): number {
  return m.subtasks.reduce((n, s) => n + s.stateSize, 0);
}
