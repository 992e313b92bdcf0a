/**
 * The base of exactly-once sinks, as Flink's TwoPhaseCommitSink: records go into a
 * transaction; on a checkpoint's barrier the transaction is pre-committed (flushed, not yet
 * visible) and recorded in the checkpoint; when the checkpoint completes it is committed.
 * After a restore, the transactions the restored checkpoint recorded are committed (their
 * checkpoint completed; the commit may have happened already, so commit must be
 * idempotent), and anything written after that checkpoint was never committed, so it is
 * never seen. At the end of a bounded input, the final checkpoint that follows (FLIP-147)
 * pre-commits what remains and its completion commits it, so a failover between the two
 * restores a checkpoint that records it; with checkpointing off it is committed at once.
 *
 * A transaction is a plain value (it is stored in checkpoints): a file name, a transactional
 * id. Any subtask may commit any transaction, as rescaling deals them out anew.
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../source.ts';

export interface TransactionLog<Txn> {
  /** Pre-committed transactions by the checkpoint that recorded them. */
  readonly pending: [checkpointId: number, txn: Txn][];
}

export abstract class TwoPhaseCommitSink<T, Txn> implements Sink<T> {
  /** Starts a transaction; called lazily, when the first record of a checkpoint interval arrives. */
  protected abstract beginTransaction(ctx: SinkWriterContext): Txn | Promise<Txn>;
  protected abstract write(txn: Txn, values: readonly T[], timestamps: readonly number[]): void | Promise<void>;
  /** Makes the transaction durable but not visible. */
  protected abstract preCommit(txn: Txn): void | Promise<void>;
  /** Makes it visible; must succeed when called again for a transaction already committed. */
  protected abstract commit(txn: Txn): void | Promise<void>;
  /** Drops a transaction that will never be committed. */
  protected abstract abort(txn: Txn): void | Promise<void>;
  /**
   * Runs once per writer, after the restored transactions were committed and before any
   * record: where a sink ends what an earlier run left open (Flink's sinks abort lingering
   * transactions at start), so that readers are not held back until the first record.
   */
  protected start(_ctx: SinkWriterContext): void | Promise<void> {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    return new TwoPhaseCommitWriter(this, ctx);
  }

  /** @internal The writer calls the hooks through these. */
  hooks() {
    return {
      begin: (ctx: SinkWriterContext) => this.beginTransaction(ctx),
      write: (txn: Txn, values: readonly T[], timestamps: readonly number[]) => this.write(txn, values, timestamps),
      preCommit: (txn: Txn) => this.preCommit(txn),
      commit: (txn: Txn) => this.commit(txn),
      abort: (txn: Txn) => this.abort(txn),
      start: (ctx: SinkWriterContext) => this.start(ctx),
    };
  }
}

/**
 * Runs the hooks one at a time, in call order: a task may hand over several batches before
 * it waits for their writes, and a transaction must begin once and see its records in order.
 */
class TwoPhaseCommitWriter<T, Txn> implements SinkWriter<T> {
  private current: Txn | undefined;
  private pending: [number, Txn][] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private readonly h: ReturnType<TwoPhaseCommitSink<T, Txn>['hooks']>;

  constructor(
    sink: TwoPhaseCommitSink<T, Txn>,
    private readonly ctx: SinkWriterContext,
  ) {
    this.h = sink.hooks();
    // The transactions the restored checkpoint recorded: it completed, so they are committed first.
    const restored = (ctx.restoredState as TransactionLog<Txn>[]).flatMap((log) => log.pending);
    this.inOrder(async () => {
      await this.commitAll(restored.map(([, txn]) => txn));
      await this.h.start(ctx);
    }).catch((err: unknown) => (this.broken = err));
  }

  /** A restored commit or a start that failed: every later operation fails with it, so the task fails over. */
  private broken: unknown;

  private inOrder<R>(op: () => R | Promise<R>): Promise<R> {
    const next = this.tail.then(() => {
      if (this.broken !== undefined) throw this.broken;
      return op();
    });
    // The next operation waits for this one, whatever its outcome; the caller sees the outcome.
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async commitAll(txns: Txn[]): Promise<void> {
    for (const txn of txns) await this.h.commit(txn);
  }

  write(values: readonly T[], timestamps: readonly number[]): Promise<void> {
    return this.inOrder(async () => {
      this.current ??= await this.h.begin(this.ctx);
      await this.h.write(this.current, values, timestamps);
    });
  }

  snapshotState(checkpointId: number): Promise<readonly unknown[]> {
    return this.inOrder(async () => {
      if (this.current !== undefined) {
        await this.h.preCommit(this.current);
        this.pending.push([checkpointId, this.current]);
        this.current = undefined;
      }
      const log: TransactionLog<Txn> = { pending: [...this.pending] };
      return [log];
    });
  }

  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.inOrder(() => this.commitUpTo(checkpointId));
  }

  /** Earlier checkpoints that were aborted left their transactions pending: a later one covers them. */
  private async commitUpTo(checkpointId: number): Promise<void> {
    const done = this.pending.filter(([id]) => id <= checkpointId);
    this.pending = this.pending.filter(([id]) => id > checkpointId);
    await this.commitAll(done.map(([, txn]) => txn));
  }

  /**
   * End of a bounded input. With a final checkpoint to come, nothing happens here: its
   * snapshot pre-commits what remains and its completion commits it. Without checkpoints
   * nothing would ever commit it, so it is committed now.
   */
  finish(): Promise<void> {
    if (this.ctx.finalCheckpoint === true) return this.inOrder(() => undefined);
    return this.inOrder(async () => {
      if (this.current !== undefined) {
        await this.h.preCommit(this.current);
        this.pending.push([Infinity, this.current]);
        this.current = undefined;
      }
      await this.commitUpTo(Infinity);
    });
  }

  close(): Promise<void> {
    // A cancelled or failed task: its open transaction will never be committed.
    return this.inOrder(async () => {
      if (this.current !== undefined) await this.h.abort(this.current);
      this.current = undefined;
    });
  }
}
