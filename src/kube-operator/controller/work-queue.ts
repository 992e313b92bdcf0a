/**
 * A rate-limited work queue with client-go's workqueue semantics, the heart of a
 * level-triggered controller: a key stands for "this object needs reconciling", so adding
 * a key that is already queued does nothing, and a key added while a worker holds it is
 * queued again only after the worker calls done() — one key is never processed twice at once.
 */
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { defaultControllerRateLimiter } from './rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions<K> {
  clock?: Clock;
  /** Defaults to defaultControllerRateLimiter (5ms..1000s per key, 10 qps / 100 burst overall). */
  rateLimiter?: RateLimiter<K>;
}

interface Delayed {
  readyAt: number;
  cancel: () => void;
}

export class WorkQueue<K> {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  /** Keys waiting for a worker, in order. */
  private readonly queue: K[] = [];
  /** Keys that need processing: queued ones, and ones added again while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly delayed = new Map<K, Delayed>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.clock = options.clock ?? systemClock;
    this.limiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Marks `key` as needing processing. A no-op after shutDown(). */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() queues it again
    this.queue.push(key);
    this.dispatch();
  }

  /**
   * Adds `key` after `ms`. While a delayed add is pending for the key, only an earlier one
   * replaces it, as client-go's delaying queue keeps the soonest ready time.
   */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    existing?.cancel();
    const cancel = this.clock.schedule(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { readyAt, cancel });
  }

  /** Adds `key` once the rate limiter allows: per-key backoff and the overall bucket. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Resets the key's backoff: call it when the key was processed successfully. */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * The next key to process, waiting until there is one; undefined once the queue is shut
   * down and empty. The caller must call done(key) when it has finished with the key.
   */
  get(): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile it is queued again now. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Keys waiting for a worker (not counting delayed adds or keys being processed). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting keys, drops delayed adds and wakes every waiting get() with undefined.
   * Keys already queued are still handed out, so workers may finish them or not: they stop
   * when get() returns undefined.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.cancel();
    this.delayed.clear();
    this.dispatch();
  }

  /** shutDown(), then waits until no key is being processed. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private take(): K | undefined {
    if (this.queue.length === 0) return undefined;
    const key = this.queue.shift() as K;
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  /** Hands queued keys to waiting getters; after shutdown, wakes the rest with undefined. */
  private dispatch(): void {
    while (this.getters.length > 0 && this.queue.length > 0) {
      const resolve = this.getters.shift()!;
      resolve(this.take());
    }
    if (this.shuttingDown) {
      for (const resolve of this.getters.splice(0)) resolve(undefined);
    }
  }
}
