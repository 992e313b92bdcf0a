/**
 * The heap backend's current key, shared by all its states: set once per record, read by
 * every state access. Heap tables need only the key's identity, so the key group is
 * computed when something asks for it (a timer, a window slice, a snapshot) rather than
 * for every record; that is also when a key outside the backend's key groups is caught.
 */
import { WeirError } from '../../../errors/index.ts';
import { keyGroupFor } from '../key-group.ts';
import type { KeyGroupRange, KeyValue } from '../key-group.ts';
import { keyIdentity } from '../key-identity.ts';
import type { KeyId, KeyRef } from '../key-identity.ts';

export class CurrentKey implements KeyRef {
  /** NaN, which no key can be (and which equals nothing), until the first key is set. */
  key: KeyValue = NaN;
  id: KeyId = NaN;
  /** -1 until asked for. */
  private group = -1;
  /** A stable copy of the current key, made at most once per key. */
  private copy: KeyRef | undefined;

  constructor(
    private readonly maxParallelism: number,
    private readonly range: KeyGroupRange,
  ) {}

  set(key: KeyValue): void {
    // Runs of records with one key (a global window, a hot key) keep what is known of it.
    if (key === this.key && typeof key !== 'object') return;
    this.key = key;
    this.id = keyIdentity(key);
    this.group = -1;
    this.copy = undefined;
  }

  setRef(ref: KeyRef): void {
    this.key = ref.key;
    this.id = ref.id;
    this.group = ref.keyGroup;
    this.copy = ref;
  }

  get keyGroup(): number {
    if (this.group < 0) this.group = checkedKeyGroup(this.key, this.maxParallelism, this.range);
    return this.group;
  }

  /** A stable copy; its key group stays -1 unless it was already known. */
  ref(): KeyRef {
    return (this.copy ??= { key: this.key, id: this.id, keyGroup: this.group });
  }
}

/** The key group of a key this backend holds; a key of another subtask's key groups is a routing error. */
export function checkedKeyGroup(key: KeyValue, maxParallelism: number, range: KeyGroupRange): number {
  const keyGroup = keyGroupFor(key, maxParallelism);
  if (!range.contains(keyGroup)) {
    throw new WeirError(
      'INVALID_KEY',
      `key ${String(key)} belongs to key group ${keyGroup}, but this subtask holds key groups ${range.start}-${range.end}: the key selector returned another key here than where the record was partitioned; it must return the same key for a record every time (no randomness, clock or mutable state)`,
      false,
    );
  }
  return keyGroup;
}
