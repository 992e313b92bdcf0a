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

interface Rule {
  match: RequestMatch;
  remaining: number;
  delayMs: number;
  code?: 500 | 503 | 429 | 409;
}

export class Faults {
  private rules: Rule[] = [];

  constructor(
    private readonly store: Store,
    private readonly hub: WatchHub,
  ) {}

  /** Holds matching requests for `ms` before serving them (`count` of them, default all). */
  delay(ms: number, match: RequestMatch = {}, count = Infinity): void {
    this.rules.push({ match, remaining: count, delayMs: ms });
  }

  /** Fails the next `count` matching requests with a Status of the given code. */
  fail(count: number, code: 500 | 503 | 429 | 409, match: RequestMatch = {}): void {
    this.rules.push({ match, remaining: count, delayMs: 0, code });
  }

  clear(): void {
    this.rules = [];
  }

  /** How many watch streams are open (all, or those whose URL contains `pathIncludes`). */
  openWatches(pathIncludes?: string): number {
    return [...this.hub.active].filter((w) => !pathIncludes || w.path.includes(pathIncludes)).length;
  }

  /** Ends open watch streams (all, or those whose URL contains `pathIncludes`); returns how many. */
  cutWatches(pathIncludes?: string, abrupt = false): number {
    return this.hub.cut(pathIncludes, abrupt);
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
  take(method: string, url: string): { delayMs: number; error?: ApiError } {
    let delayMs = 0;
    let error: ApiError | undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule.match, method, url)) continue;
      if (rule.code !== undefined && error) continue;
      rule.remaining--;
      delayMs += rule.delayMs;
      if (rule.code !== undefined) error = faultError(rule.code, url);
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { delayMs, error };
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
