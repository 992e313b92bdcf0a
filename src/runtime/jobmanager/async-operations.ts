/**
 * Flink's asynchronous REST operations (triggered checkpoints, savepoints, stop): a trigger
 * answers at once with a request id, and the status is asked for with it until the
 * operation completed with a result or a failure. A bounded number is remembered.
 */
import { randomBytes } from 'node:crypto';
import { WeirError, errorMessage } from '../../errors/index.ts';

export type OperationStatus<T> =
  | { readonly status: 'IN_PROGRESS' }
  | { readonly status: 'COMPLETED'; readonly result: T }
  | { readonly status: 'COMPLETED'; readonly failure: WeirError };

const REMEMBERED = 100;

export class AsyncOperations<T> {
  private readonly operations = new Map<string, OperationStatus<T>>();
  /** Operations whose outcome nobody has asked for yet. */
  private readonly unread = new Set<string>();
  private onAllRead: (() => void) | undefined;

  /**
   * Records the operation under a new request id, or under `triggerId` when the caller gave
   * one (Flink's idempotent triggers: a retried request with a known id starts nothing and
   * answers the same id); its outcome is kept when it settles.
   */
  start(operation: () => Promise<T>, triggerId?: string): string {
    if (triggerId !== undefined && this.operations.has(triggerId)) return triggerId;
    // A request refused at once (it throws) is not remembered.
    const started = operation();
    const id = triggerId ?? randomBytes(16).toString('hex');
    this.operations.set(id, { status: 'IN_PROGRESS' });
    this.unread.add(id);
    if (this.operations.size > REMEMBERED) this.operations.delete(this.operations.keys().next().value!);
    started.then(
      (result) => this.operations.set(id, { status: 'COMPLETED', result }),
      (err: unknown) => this.operations.set(id, { status: 'COMPLETED', failure: err instanceof WeirError ? err : new WeirError('INTERNAL', errorMessage(err), false, { cause: err }) }),
    );
    return id;
  }

  get(id: string): OperationStatus<T> | undefined {
    const s = this.operations.get(id);
    if (s?.status === 'COMPLETED' && this.unread.delete(id) && this.unread.size === 0) this.onAllRead?.();
    return s;
  }

  /**
   * Resolves once every operation's outcome was asked for, or after `maxWaitMs`: a
   * JobManager whose job ended by a stop-with-savepoint waits so the caller learns where
   * the savepoint is before the process goes.
   */
  allRead(maxWaitMs: number): Promise<void> {
    if (this.unread.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.onAllRead = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
