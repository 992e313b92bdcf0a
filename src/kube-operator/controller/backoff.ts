/** Exponential backoff for reconnect loops: 0 before the first retry is needed, then initial doubling to max. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Backoff {
  private failures = 0;
  readonly initialMs: number;
  readonly maxMs: number;

  constructor(options: BackoffOptions = {}, defaults: Required<BackoffOptions>) {
    this.initialMs = options.initialMs ?? defaults.initialMs;
    this.maxMs = options.maxMs ?? defaults.maxMs;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  fail(): number {
    this.failures++;
    return this.delay();
  }

  /** The wait before the next attempt: 0 while nothing has failed. */
  delay(): number {
    if (this.failures === 0) return 0;
    return Math.min(this.initialMs * 2 ** (this.failures - 1), this.maxMs);
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
