/** Time-to-live bookkeeping for heap state: entries carry the time they were last stamped. */
import type { StateTtlConfig } from '../../../api/state-ttl.ts';
import type { Clock } from '../../task/clock.ts';
import type { KeyId } from '../key-identity.ts';
import type { StateTable } from './state-table.ts';

export interface Stamped<V> {
  v: V;
  t: number;
}

export class TtlPolicy {
  private cleanupCursor: Iterator<[string, KeyId, unknown]> | undefined;

  constructor(
    readonly config: StateTtlConfig,
    private readonly clock: Clock,
  ) {}

  now(): number {
    return this.clock.now();
  }

  isExpired(stamped: Stamped<unknown>, now = this.clock.now()): boolean {
    return stamped.t + this.config.ttlMs <= now;
  }

  /** Whether a read refreshes a live entry's stamp. Stamps are replaced, never changed in place (a snapshot may hold them). */
  get restampsOnRead(): boolean {
    return this.config.updateType === 'OnReadAndWrite';
  }

  /**
   * Checks the next `cleanupIncrementalSize` entries of a table and drops the expired
   * ones, as Flink's incremental cleanup does on state access.
   */
  cleanupIncrementally<S>(table: StateTable<S>, isEntryExpired: (entry: S, now: number) => boolean): void {
    const n = this.config.cleanupIncrementalSize;
    if (n === 0) return;
    const now = this.clock.now();
    for (let i = 0; i < n; i++) {
      this.cleanupCursor ??= table.entries() as Iterator<[string, KeyId, unknown]>;
      const next = this.cleanupCursor.next();
      if (next.done) {
        this.cleanupCursor = undefined;
        return;
      }
      const [ns, key, entry] = next.value;
      if (isEntryExpired(entry as S, now)) table.delete(ns, key);
    }
  }
}
