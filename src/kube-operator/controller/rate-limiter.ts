/**
 * Rate limiters for the work queue, after client-go's workqueue package: a per-key
 * exponential backoff for keys that keep failing, and an overall token bucket so a burst of
 * failures cannot hammer the API server. `when(key)` both answers and records a retry.
 */
import type { Clock } from './clock.ts';

export interface RateLimiter<K> {
  /** The delay before `key` may be retried, counting this as one more retry. */
  when(key: K): number;
  /** Stops tracking `key`: its next failure starts from the base delay again. */
  forget(key: K): void;
  /** How many times `key` has been rate limited since it was last forgotten. */
  numRequeues(key: K): number;
}

export interface ExponentialBackoffOptions {
  /** Delay after the first failure (client-go: 5ms). */
  baseDelayMs?: number;
  /** Ceiling of the delay (client-go: 1000s). */
  maxDelayMs?: number;
}

/** base * 2^failures, capped: client-go's ItemExponentialFailureRateLimiter. */
export class ItemExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  when(key: K): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    // 2^exp overflows to Infinity long before it matters; the cap keeps the result finite.
    return Math.min(this.baseDelayMs * 2 ** exp, this.maxDelayMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface TokenBucketOptions {
  /** Sustained rate in tokens per second (client-go: 10). */
  qps?: number;
  /** Tokens available at once (client-go: 100). */
  burst?: number;
}

/**
 * An overall token bucket (golang.org/x/time/rate reservations): each call takes a token,
 * going into debt when none is left, and the delay is how long until the debt is repaid.
 */
export class TokenBucketRateLimiter<K> implements RateLimiter<K> {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    options: TokenBucketOptions = {},
  ) {
    this.qps = options.qps ?? 10;
    this.burst = options.burst ?? 100;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  when(_key: K): number {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
      this.last = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for: client-go's MaxOfRateLimiter. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    // Every limiter must record the retry, so no short-circuiting.
    return this.limiters.map((l) => l.when(key)).reduce((a, b) => Math.max(a, b), 0);
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiters.map((l) => l.numRequeues(key)).reduce((a, b) => Math.max(a, b), 0);
  }
}

export interface DefaultRateLimiterOptions extends ExponentialBackoffOptions, TokenBucketOptions {}

/** client-go's DefaultControllerRateLimiter: per-key 5ms..1000s backoff, max'd with 10 qps / 100 burst. */
export function defaultControllerRateLimiter<K>(clock: Clock, options: DefaultRateLimiterOptions = {}): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialRateLimiter<K>(options), new TokenBucketRateLimiter<K>(clock, options));
}
