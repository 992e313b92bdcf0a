/**
 * The worker loop of a controller: take a key, reconcile it, and decide when to see it
 * again, like controller-runtime. A retriable failure is retried with the queue's per-key
 * backoff; a terminal one (a WeirError with retriable false, controller-runtime's
 * TerminalError) is reported and not retried: only the next add of the key (a watch event,
 * a resync) reconciles it again. A success resets the backoff and may ask for a periodic
 * re-check (requeueAfterMs).
 */
import { WeirError } from '../../errors/index.ts';
import type { WorkQueue } from './work-queue.ts';

export interface ReconcileResult {
  /** See the key again after this long even if nothing changes (e.g. to poll a job). */
  requeueAfterMs?: number;
}

export type Reconcile<K> = (key: K) => Promise<ReconcileResult | void>;

/** Told about every failed reconcile, and whether the key will be retried with backoff; it must not throw. */
export type ReconcileErrorHandler<K> = (key: K, err: unknown, retried: boolean) => void;

/** Retrying cannot help: the error says so. Errors that say nothing (bugs, foreign errors) are retried. */
export function isTerminal(err: unknown): boolean {
  return err instanceof WeirError && !err.retriable;
}

/**
 * Runs `concurrency` workers until the queue shuts down; resolves when all have stopped.
 * The queue guarantees a key is held by at most one worker at a time.
 */
export async function runWorkers<K>(queue: WorkQueue<K>, concurrency: number, reconcile: Reconcile<K>, onError: ReconcileErrorHandler<K>): Promise<void> {
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, concurrency); i++) workers.push(worker(queue, reconcile, onError));
  await Promise.all(workers);
}

async function worker<K>(queue: WorkQueue<K>, reconcile: Reconcile<K>, onError: ReconcileErrorHandler<K>): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      await processOne(queue, key, reconcile, onError);
    } finally {
      queue.done(key);
    }
  }
}

async function processOne<K>(queue: WorkQueue<K>, key: K, reconcile: Reconcile<K>, onError: ReconcileErrorHandler<K>): Promise<void> {
  let result: ReconcileResult | void;
  try {
    result = await reconcile(key);
  } catch (err) {
    const retried = !isTerminal(err);
    // Queue the retry first so a throwing handler cannot lose the key.
    if (retried) queue.addRateLimited(key);
    onError(key, err, retried);
    return;
  }
  queue.forget(key);
  if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
}
