// Fault injection for tests: slow or failing requests, cut watch streams, and compacted
// history (watches from older versions then get 410 Expired).
import { ApiError, conflict, internalError, STALE, tooManyRequests } from './errors.ts';
import type { WatchHub } from './http/watch.ts';
import type { Store } from './store/store.ts';

export interface RequestMatch {
  method?: string;
  /** Substring of the request path, or a pattern tested against path and query. */
  path?: string | RegExp;
}

/**
 * What a fault did: `fail` and `delay` count requests answered with an injected error or
 * held back (by delay() or hold()); `cut` counts watch streams ended by cutWatches; `expired` counts watches
 * answered 410 Expired because compact() or setHistoryLimit() dropped their version.
 */
export type FaultKind = 'fail' | 'delay' | 'cut' | 'expired';

/** Requests a hold() rule keeps waiting: how many it caught, and the release of all of them. */
export interface HeldRequests {
  caught(): number;
  release(): void;
}

interface Rule {
  match: RequestMatch;
  remaining: number;
  delayMs: number;
  code?: 500 | 503 | 429 | 409;
  /** A hold: matching requests wait for this. */
  until?: Promise<void>;
  caught: number;
}

export class Faults {
  private rules: Rule[] = [];
  private readonly counts = { fail: 0, delay: 0, cut: 0 };

  constructor(
    private readonly store: Store,
    private readonly hub: WatchHub,
  ) {}

  /** Holds matching requests for `ms` before serving them (`count` of them, default all). */
  delay(ms: number, match: RequestMatch = {}, count = Infinity): void {
    this.rules.push({ match, remaining: count, delayMs: ms, caught: 0 });
  }

  /**
   * Holds the next `count` matching requests until `release()`: a test can change things
   * while, say, a watch is on its way back, without racing a fixed delay.
   */
  hold(match: RequestMatch = {}, count = 1): HeldRequests {
    let release = (): void => undefined;
    const until = new Promise<void>((resolve) => (release = resolve));
    const rule: Rule = { match, remaining: count, delayMs: 0, until, caught: 0 };
    this.rules.push(rule);
    return { caught: () => rule.caught, release: () => release() };
  }

  /** Fails the next `count` matching requests with a Status of the given code. */
  fail(count: number, code: 500 | 503 | 429 | 409, match: RequestMatch = {}): void {
    this.rules.push({ match, remaining: count, delayMs: 0, code, caught: 0 });
  }

  /** Removes the rules not yet used up; what fired stays counted. */
  clear(): void {
    this.rules = [];
  }

  /** How often faults of this kind fired since the server started, for tests to assert. */
  fired(kind: FaultKind): number {
    return kind === 'expired' ? this.hub.expired : this.counts[kind];
  }

  /** How many watch streams are open (all, or those whose URL contains `pathIncludes`). */
  openWatches(pathIncludes?: string): number {
    return [...this.hub.active].filter((w) => !pathIncludes || w.path.includes(pathIncludes)).length;
  }

  /** Ends open watch streams (all, or those whose URL contains `pathIncludes`); returns how many. */
  cutWatches(pathIncludes?: string, abrupt = false): number {
    const n = this.hub.cut(pathIncludes, abrupt);
    this.counts.cut += n;
    return n;
  }

  /** Drops all retained history: watches resuming from any earlier version get 410. */
  compact(): void {
    this.store.history.compact(this.store.currentRv());
  }

  /** Retains only the last `n` changes for watch resumption. */
  setHistoryLimit(n: number): void {
    this.store.history.setLimit(n);
  }

  setBookmarkInterval(ms: number): void {
    this.hub.bookmarkIntervalMs = ms;
  }

  /** Consumes the rules that apply to one request. */
  take(method: string, url: string): { delayMs: number; holds: Promise<void>[]; error?: ApiError } {
    let delayMs = 0;
    const holds: Promise<void>[] = [];
    let error: ApiError | undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule.match, method, url)) continue;
      if (rule.code !== undefined && error) continue;
      rule.remaining--;
      rule.caught++;
      delayMs += rule.delayMs;
      if (rule.until) holds.push(rule.until);
      if (rule.delayMs > 0 || rule.until) this.counts.delay++;
      if (rule.code !== undefined) {
        error = faultError(rule.code, url);
        this.counts.fail++;
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { delayMs, holds, error };
  }
}

function matches(m: RequestMatch, method: string, url: string): boolean {
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path === undefined) return true;
  const path = url.split('?')[0]!;
  return typeof m.path === 'string' ? path.includes(m.path) : m.path.test(url);
}

function faultError(code: number, url: string): ApiError {
  switch (code) {
    case 429: return tooManyRequests(1);
    case 409: return conflict({ group: '', resource: url.split('?')[0]!.split('/').filter(Boolean).at(-2) ?? '' }, url.split('?')[0]!.split('/').at(-1) ?? '', STALE);
    case 503: return new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    default: return internalError('injected fault');
  }
}
