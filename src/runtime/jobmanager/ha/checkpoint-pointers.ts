/**
 * The data of a job's HA ConfigMap as pure functions: `counter` (the next checkpoint id) and
 * one `checkpointID-<19 digits>` entry per retained completed checkpoint, whose value is JSON
 * `{checkpointId, location, timestamp}`, as Flink's KubernetesCheckpointIDCounter and
 * KubernetesStateHandleStore keep them.
 */
import { WeirError } from '../../../errors/index.ts';

export const COUNTER_KEY = 'counter';
const POINTER_PREFIX = 'checkpointID-';

export interface CheckpointPointer {
  readonly checkpointId: number;
  /** The directory holding the checkpoint's `_metadata`. */
  readonly location: string;
  readonly timestamp: number;
}

export interface RecoveredPointers {
  /** The id the next checkpoint takes. */
  readonly nextCheckpointId: number;
  /** Newest first. */
  readonly pointers: readonly CheckpointPointer[];
}

export function pointerKey(checkpointId: number): string {
  return `${POINTER_PREFIX}${String(checkpointId).padStart(19, '0')}`;
}

/** What the data says; a pointer that is not one is an error naming its key (the ConfigMap was edited by hand or by another program). */
export function readPointers(data: Readonly<Record<string, string>>): RecoveredPointers {
  const pointers: CheckpointPointer[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith(POINTER_PREFIX)) continue;
    let p: Partial<CheckpointPointer>;
    try {
      p = JSON.parse(value) as Partial<CheckpointPointer>;
    } catch (err) {
      throw new WeirError('HA_METADATA_INVALID', `${key} is not a checkpoint pointer: ${value}`, false, { cause: err });
    }
    if (typeof p.checkpointId !== 'number' || typeof p.location !== 'string' || pointerKey(p.checkpointId) !== key) {
      throw new WeirError('HA_METADATA_INVALID', `${key} is not a checkpoint pointer: ${value}`, false);
    }
    pointers.push({ checkpointId: p.checkpointId, location: p.location, timestamp: p.timestamp ?? 0 });
  }
  pointers.sort((a, b) => b.checkpointId - a.checkpointId);
  const counter = Number(data[COUNTER_KEY] ?? '1');
  const newest = pointers[0]?.checkpointId ?? 0;
  return { nextCheckpointId: Math.max(Number.isInteger(counter) ? counter : 1, newest + 1), pointers };
}

/** The data after a checkpoint completed: pointers of exactly the retained checkpoints, and the counter past the newest id. */
export function withCompleted(data: Readonly<Record<string, string>>, retained: readonly CheckpointPointer[], nextCheckpointId: number): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) if (!key.startsWith(POINTER_PREFIX)) next[key] = value;
  for (const p of retained) next[pointerKey(p.checkpointId)] = JSON.stringify({ checkpointId: p.checkpointId, location: p.location, timestamp: p.timestamp });
  next[COUNTER_KEY] = String(Math.max(nextCheckpointId, Number(data[COUNTER_KEY] ?? '1') || 1));
  return next;
}
