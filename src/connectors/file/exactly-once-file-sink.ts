/**
 * The file sink's exactly-once mode, as Flink's FileSink: each checkpoint interval of a
 * subtask writes a hidden in-progress file; the barrier flushes it to disk; the checkpoint's
 * completion renames it to its visible name `part-<subtask>-<writer>-<n>.txt`. What was
 * written after the last completed checkpoint of a failed run stays hidden forever, so the
 * visible files hold every record exactly once.
 */
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SinkWriterContext } from '../../api/source.ts';
import { TwoPhaseCommitSink } from '../../api/sinks/two-phase-commit-sink.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';

/** A transaction: the hidden file being written and the name it gets when committed. */
export interface FileTransaction {
  readonly inProgress: string;
  readonly final: string;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

export class ExactlyOnceFileSink<T> extends TwoPhaseCommitSink<T, FileTransaction> {
  /** Open handles of this process's transactions (handles do not go into checkpoints). */
  private readonly handles = new Map<string, FileHandle>();
  private readonly writers = new WeakMap<SinkWriterContext, { token: string; next: number }>();

  constructor(
    private readonly directory: string,
    private readonly format: (value: T) => string,
  ) {
    super();
  }

  protected async beginTransaction(ctx: SinkWriterContext): Promise<FileTransaction> {
    let w = this.writers.get(ctx);
    // A token per writer keeps the names of a restarted run apart from a failed run's leftovers.
    if (!w) this.writers.set(ctx, (w = { token: randomBytes(4).toString('hex'), next: 0 }));
    const name = `part-${ctx.subtaskIndex}-${w.token}-${w.next++}`;
    await mkdir(this.directory, { recursive: true });
    const txn = { inProgress: join(this.directory, `.${name}.inprogress`), final: join(this.directory, `${name}.txt`) };
    this.handles.set(txn.inProgress, await open(txn.inProgress, 'w'));
    return txn;
  }

  protected async write(txn: FileTransaction, values: readonly T[]): Promise<void> {
    let text = '';
    for (const v of values) text += `${this.format(v)}\n`;
    await this.handle(txn).write(text);
  }

  protected async preCommit(txn: FileTransaction): Promise<void> {
    const h = this.handle(txn);
    this.handles.delete(txn.inProgress);
    await h.sync();
    await h.close();
  }

  protected async commit(txn: FileTransaction): Promise<void> {
    try {
      await rename(txn.inProgress, txn.final);
    } catch (err) {
      // Committed before a failure: the checkpoint completed, and so did its rename.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (await exists(txn.final))) return;
      throw new WeirError('SINK_COMMIT_FAILED', `cannot commit ${txn.inProgress} as ${txn.final}: ${errorMessage(err)}`, true, { cause: err });
    }
  }

  protected async abort(txn: FileTransaction): Promise<void> {
    const h = this.handles.get(txn.inProgress);
    this.handles.delete(txn.inProgress);
    await h?.close();
    await unlink(txn.inProgress).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private handle(txn: FileTransaction): FileHandle {
    const h = this.handles.get(txn.inProgress);
    if (!h) throw new WeirError('INTERNAL', `no open file for the transaction writing ${txn.inProgress}`, false);
    return h;
  }
}
