/**
 * The asynchronous part of a subtask's checkpoint: its keyed state goes to a file in the
 * checkpoint's directory, and what the JobManager needs (operator state, which key groups
 * the file holds, sizes and durations) goes back in the acknowledgement.
 */
import type { OperatorStateHandle, SharedStateRef, SubtaskStateHandle } from './checkpoint-metadata.ts';
import { encodeKeyedStateFile } from './keyed-state-file.ts';
import type { IncrementalUploader } from './incremental/incremental-uploader.ts';
import type { CheckpointStorage } from './storage/checkpoint-storage.ts';
import type { SubtaskSnapshot } from './subtask-state.ts';
import type { KeyedStateSnapshot } from '../state/snapshot/keyed-state-snapshot.ts';
import type { KeyedStateCapture } from '../state/keyed-state-backend.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';

/** One subtask's acknowledgement of a checkpoint, as it travels to the JobManager. */
export interface SubtaskCheckpointAck {
  readonly checkpointId: number;
  readonly handle: SubtaskStateHandle;
  readonly syncDurationMs: number;
  readonly asyncDurationMs: number;
  readonly alignmentDurationMs: number;
}

/** A rough size of operator state entries, for the reported state size. */
function entriesSize(entries: readonly unknown[]): number {
  return entries.length === 0 ? 0 : JSON.stringify(entries, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).length;
}

/** With `state.backend.incremental`: the subtask's uploader and the job its shared files belong to. */
export interface IncrementalTarget {
  readonly uploader: IncrementalUploader;
  readonly jobId: string;
}

export async function writeSubtaskSnapshot(
  storage: CheckpointStorage,
  checkpointDir: string,
  s: SubtaskSnapshot,
  uidOf: (operatorId: string) => string | undefined,
  incremental?: IncrementalTarget,
): Promise<SubtaskCheckpointAck> {
  const started = performance.now();
  const keyed = new Map<string, KeyedStateSnapshot>();
  const operators: OperatorStateHandle[] = [];
  let stateSize = 0;
  // Every operator's capture starts reading now, at the barrier: a task that finishes while
  // this runs closes its backends, and a RocksDB backend stays open only for reads in progress.
  const reads = new Map<string, Promise<KeyedStateSnapshot>>();
  for (const [id, state] of s.operators) {
    if (state.keyed === undefined) continue;
    const read = startReading(state.keyed);
    // Awaited in order below; a failure of an earlier one leaves the later ones unawaited.
    read.then(undefined, () => undefined);
    reads.set(id, read);
  }
  for (const [id, state] of s.operators) {
    const list = state.operatorState?.list ?? [];
    const union = state.operatorState?.union ?? [];
    let snapshot: KeyedStateSnapshot | undefined;
    try {
      snapshot = await reads.get(id);
    } catch (err) {
      // Typically a state value the state encoding cannot write (a function, a class with handles).
      throw new WeirError('UNSERIALIZABLE_STATE', `the keyed state of operator ${uidOf(id) ?? id} cannot be written to the checkpoint: ${errorMessage(err)}`, true, { cause: err });
    }
    const keyGroups = snapshot ? [...snapshot.keyGroups.keys()].sort((a, b) => a - b) : [];
    if (snapshot && keyGroups.length > 0) keyed.set(id, snapshot);
    stateSize += entriesSize(list) + entriesSize(union);
    operators.push({ id, uid: uidOf(id), keyGroups, maxParallelism: snapshot?.maxParallelism ?? 0, list, union });
  }
  let file: string | undefined;
  let shared: SharedStateRef[] | undefined;
  let checkpointedSize = stateSize;
  if (keyed.size > 0 && incremental && !s.savepoint) {
    const upload = await incremental.uploader.upload(storage, incremental.jobId, s.checkpointId, keyed);
    shared = upload.shared;
    stateSize += upload.stateSize;
    checkpointedSize += upload.uploaded;
  } else if (keyed.size > 0) {
    // A savepoint is full, but what changed up to it is still part of the next checkpoint's deltas.
    incremental?.uploader.record(keyed);
    file = `${s.vertexId}-${s.subtask}.keys`;
    stateSize += await storage.writeStateFile(checkpointDir, file, encodeKeyedStateFile(keyed));
    checkpointedSize = stateSize;
  }
  return {
    checkpointId: s.checkpointId,
    handle: { vertexId: s.vertexId, subtask: s.subtask, parallelism: s.parallelism, file, stateSize, operators, ...(shared ? { shared, checkpointedSize } : {}) },
    syncDurationMs: s.syncDurationMs,
    asyncDurationMs: performance.now() - started,
    alignmentDurationMs: s.alignmentDurationMs,
  };
}

function startReading(capture: KeyedStateCapture): Promise<KeyedStateSnapshot> {
  try {
    return capture.complete();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
