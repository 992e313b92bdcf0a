/** The heap backend's current key, shared by all its states: set once per record, read by every state access. */
import { WeirError } from '../../../errors/index.ts';
import { keyGroupFor } from '../key-group.ts';
import type { KeyGroupRange, KeyValue } from '../key-group.ts';
import { keyIdentity } from '../key-identity.ts';
import type { KeyId, KeyRef } from '../key-identity.ts';

export class CurrentKey implements KeyRef {
  /** NaN, which no key can be (and which equals nothing), until the first key is set. */
  key: KeyValue = NaN;
  id: KeyId = '';
  keyGroup = 0;
  /** The key group's index in the backend's range (what state tables are indexed by). */
  group = 0;
  /** A stable copy of the current key, made at most once per key. */
  private copy: KeyRef | undefined;

  constructor(
    private readonly maxParallelism: number,
    private readonly range: KeyGroupRange,
  ) {}

  set(key: KeyValue): void {
    // Runs of records with one key (a global window, a hot key) skip the hash.
    if (key === this.key && typeof key !== 'object') return;
    this.key = key;
    this.id = keyIdentity(key);
    this.place(keyGroupFor(key, this.maxParallelism));
    this.copy = undefined;
  }

  setRef(ref: KeyRef): void {
    this.key = ref.key;
    this.id = ref.id;
    this.place(ref.keyGroup);
    this.copy = ref;
  }

  ref(): KeyRef {
    return (this.copy ??= { key: this.key, id: this.id, keyGroup: this.keyGroup });
  }

  private place(keyGroup: number): void {
    const group = keyGroup - this.range.start;
    if (group < 0 || keyGroup > this.range.end) {
      throw new WeirError(
        'INVALID_KEY',
        `key ${String(this.key)} belongs to key group ${keyGroup}, but this subtask holds key groups ${this.range.start}-${this.range.end}: the key selector returned another key here than where the record was partitioned; it must return the same key for a record every time (no randomness, clock or mutable state)`,
        false,
      );
    }
    this.keyGroup = keyGroup;
    this.group = group;
  }
}
