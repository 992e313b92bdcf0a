/**
 * State time-to-live, as Flink's StateTtlConfig: processing-time based, per value, per
 * list element and per map entry.
 */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

export interface StateTtlConfig {
  readonly ttlMs: number;
  readonly updateType: TtlUpdateType;
  readonly visibility: TtlStateVisibility;
  /** Drop expired entries when a full snapshot is taken. */
  readonly cleanupFullSnapshot: boolean;
  /** Check this many entries for expiry on each state access (0 = off). */
  readonly cleanupIncrementalSize: number;
  /** Also run the incremental check once per processed record. */
  readonly cleanupIncrementalEveryRecord: boolean;
}

export class StateTtlConfigBuilder {
  private updateType: TtlUpdateType = 'OnCreateAndWrite';
  private visibility: TtlStateVisibility = 'NeverReturnExpired';
  private fullSnapshot = false;
  private incrementalSize = 5;
  private incrementalEveryRecord = false;

  constructor(private readonly ttlMs: number) {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`state TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }

  setUpdateType(type: TtlUpdateType): this {
    this.updateType = type;
    return this;
  }

  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType('OnReadAndWrite');
  }

  setStateVisibility(visibility: TtlStateVisibility): this {
    this.visibility = visibility;
    return this;
  }

  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility('ReturnExpiredIfNotCleanedUp');
  }

  cleanupFullSnapshot(): this {
    this.fullSnapshot = true;
    return this;
  }

  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord = false): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize < 0) throw new RangeError(`cleanup size must be a whole number >= 0, got ${cleanupSize}`);
    this.incrementalSize = cleanupSize;
    this.incrementalEveryRecord = runCleanupForEveryRecord;
    return this;
  }

  disableCleanupInBackground(): this {
    this.incrementalSize = 0;
    this.incrementalEveryRecord = false;
    return this;
  }

  build(): StateTtlConfig {
    return {
      ttlMs: this.ttlMs,
      updateType: this.updateType,
      visibility: this.visibility,
      cleanupFullSnapshot: this.fullSnapshot,
      cleanupIncrementalSize: this.incrementalSize,
      cleanupIncrementalEveryRecord: this.incrementalEveryRecord,
    };
  }
}

export const StateTtlConfig = {
  newBuilder(ttlMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMs);
  },
};
