/**
 * One subtask attempt's RocksDB database, in a fresh directory of its own under the
 * configured local directory (removed on close). Every operation on it runs in one queue,
 * in the order it was asked for: a write batch asked for before a read is in the database
 * when the read runs, and a snapshot taken after a write batch sees it. That order is
 * what lets the backend write behind its cache without ever reading stale rows.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import RocksDB from 'rocksdb-native';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import type { RocksDbOptions } from './rocksdb-options.ts';
import type { WriteBehindBatch } from './write-behind-batch.ts';

export type WriteOp = readonly [op: 'put', key: Buffer, value: Buffer] | readonly [op: 'delete', key: Buffer] | readonly [op: 'deleteRange', start: Buffer, end: Buffer];

/** Rows per write batch when much is written at once (a restore). */
const MAX_BATCH_OPS = 50_000;

export interface SnapshotRows {
  rows(start: Buffer, end: Buffer): AsyncIterable<{ key: Buffer; value: Buffer }>;
  release(): Promise<void>;
}

export class RocksStore {
  private readonly db: RocksDB;
  private queue: Promise<void> = Promise.resolve();
  /** Snapshot reads in progress: close() waits for them, a finishing task must not cut its last checkpoint short. */
  private readonly reads = new Set<Promise<unknown>>();
  /** Snapshots not released yet: a checkpoint that failed before reading one leaves it to close(). */
  private readonly snapshots = new Set<RocksDB>();
  /** The first failure; every later operation fails with it (the task then fails and restarts). */
  private failure: unknown;

  private constructor(
    readonly dir: string,
    options: RocksDbOptions,
  ) {
    const columnFamily = new RocksDB.ColumnFamily('default', { writeBufferSize: options.writeBufferSize, maxWriteBufferNumber: options.writeBufferCount });
    this.db = new RocksDB(dir, { columnFamily, maxBackgroundJobs: 2 });
  }

  /** Creates `<localDir>/<label>-XXXXXX` and opens a database in it; a directory that cannot be made fails here, synchronously. */
  static open(options: RocksDbOptions, label: string): RocksStore {
    let dir: string;
    try {
      mkdirSync(options.localDir, { recursive: true });
      dir = mkdtempSync(join(options.localDir, `${label.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
    } catch (err) {
      throw new WeirError(
        'STATE_BACKEND_UNAVAILABLE',
        `the RocksDB state backend cannot create its working directory under ${options.localDir} (state.backend.rocksdb.localdir): ${errorMessage(err)}`,
        true,
        { cause: err },
      );
    }
    return new RocksStore(dir, options);
  }

  /** Runs `step` after every operation asked for before it. */
  private enqueue<T>(what: string, step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        return await step();
      } catch (err) {
        throw new WeirError('STATE_BACKEND_UNAVAILABLE', `RocksDB in ${this.dir} failed to ${what}: ${errorMessage(err)}`, true, { cause: err });
      }
    });
    this.queue = run.then(
      () => undefined,
      (err: unknown) => {
        // Kept, and thrown by every later operation: the caller of this one has it too.
        this.failure ??= err;
      },
    );
    return run;
  }

  write(ops: readonly WriteOp[]): Promise<void> {
    return this.enqueue('write', () => this.writeOps(ops));
  }

  private async writeOps(ops: readonly WriteOp[]): Promise<void> {
    for (let from = 0; from < ops.length; from += MAX_BATCH_OPS) {
      const to = Math.min(ops.length, from + MAX_BATCH_OPS);
      const batch = this.db.write({ capacity: to - from, autoDestroy: true });
      for (let i = from; i < to; i++) {
        const op = ops[i]!;
        if (op[0] === 'put') batch.tryPut(op[1], op[2]);
        else if (op[0] === 'delete') batch.tryDelete(op[1]);
        else batch.tryDeleteRange(op[1], op[2]);
      }
      await batch.flush();
    }
  }

  /**
   * Writes a write-behind batch chunk by chunk, encoding each chunk when the one before is
   * written, so the task runs between chunks (a change meanwhile has its entry encoded first).
   */
  writeBehind(batch: WriteBehindBatch): Promise<void> {
    return this.enqueue('write', async () => {
      for (let ops = batch.nextChunk(); ops.length > 0; ops = batch.nextChunk()) await this.writeOps(ops);
    });
  }

  /** One multi-get. */
  getAll(keys: readonly Buffer[]): Promise<(Buffer | null)[]> {
    return this.enqueue('read', () => {
      const batch = this.db.read({ capacity: keys.length, autoDestroy: true });
      const out = keys.map((k) => batch.get(k));
      batch.tryFlush();
      return Promise.all(out);
    });
  }

  /** The rows of each range [start, end), read in parallel. */
  scanAll(ranges: readonly (readonly [Buffer, Buffer])[], limit = Infinity): Promise<{ key: Buffer; value: Buffer }[][]> {
    return this.enqueue('read', () =>
      Promise.all(
        ranges.map(async ([gte, lt]) => {
          const rows: { key: Buffer; value: Buffer }[] = [];
          for await (const row of this.db.iterator({ gte, lt, capacity: Math.min(16, limit), limit })) rows.push(row);
          return rows;
        }),
      ),
    );
  }

  /** A consistent view of the database after every write asked for so far. */
  snapshot(): Promise<SnapshotRows> {
    return this.enqueue('take a snapshot', () => {
      const snap = this.db.snapshot();
      this.snapshots.add(snap);
      return Promise.resolve({
        rows: (gte: Buffer, lt: Buffer) => snap.iterator({ gte, lt, capacity: 1024 }),
        release: () => {
          if (!this.snapshots.delete(snap)) return Promise.resolve();
          return snap.close();
        },
      });
    });
  }

  /** Releases a snapshot that will not be read (its checkpoint was declined); a failure fails the store's next operation. */
  discard(snapshot: Promise<SnapshotRows>): void {
    snapshot
      .then((s) => s.release())
      .then(undefined, (err: unknown) => {
        this.failure ??= err;
      });
  }

  /** A RocksDB property (e.g. rocksdb.estimate-num-keys) as a number; undefined when the database does not report it. */
  property(name: string): Promise<number | undefined> {
    return this.enqueue(`read ${name}`, async () => {
      const v = await this.db.getProperty(name);
      return v === null ? undefined : Number(v);
    });
  }

  /** Keeps the database open until `read` (a snapshot being read) settles; returns it. */
  reading<T>(read: Promise<T>): Promise<T> {
    this.reads.add(read);
    const done = (): void => {
      this.reads.delete(read);
    };
    read.then(done, done);
    return read;
  }

  /** Closes the database once every queued operation and snapshot read ran, then removes the directory. */
  async close(): Promise<void> {
    const last = this.queue;
    this.queue = last.then(() => undefined);
    await last;
    // Their own callers see how they end.
    await Promise.allSettled([...this.reads]);
    try {
      // The database closes only once every snapshot session is closed.
      for (const snap of this.snapshots) await snap.close();
      this.snapshots.clear();
      await this.db.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
