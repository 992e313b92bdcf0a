/**
 * Restart strategies, as Flink's: whether and when a failed job restarts is a pure
 * function of the configuration, the failure history and the time. The JobManager keeps
 * the history and performs the decision.
 */
import { WeirError } from '../../errors/index.ts';
import { parseDuration } from '../config/duration.ts';

export type RestartStrategyConfig =
  | { type: 'none' }
  | { type: 'fixed-delay'; attempts: number; delayMs: number }
  | {
      type: 'exponential-delay';
      initialBackoffMs: number;
      maxBackoffMs: number;
      multiplier: number;
      resetBackoffThresholdMs: number;
      jitterFactor: number;
      /** Restarts allowed before the backoff resets; Infinity by default. */
      attempts: number;
    }
  | { type: 'failure-rate'; maxFailuresPerInterval: number; intervalMs: number; delayMs: number };

/** What the JobManager remembers between failures. */
export interface RestartHistory {
  /** Failure times (epoch ms), oldest first; failure-rate keeps only those in its interval. */
  readonly failureTimes: readonly number[];
  /** Restarts since the start (fixed-delay) or since the last backoff reset (exponential). */
  readonly attempts: number;
  /** The last backoff used (exponential-delay), 0 before the first. */
  readonly backoffMs: number;
}

export const EMPTY_HISTORY: RestartHistory = { failureTimes: [], attempts: 0, backoffMs: 0 };

export type RestartDecision =
  | { restart: true; delayMs: number; history: RestartHistory }
  | { restart: false; reason: string; history: RestartHistory };

function invalid(key: string, value: string, what: string): WeirError {
  return new WeirError('INVALID_CONFIGURATION', `${key}: "${value}" is not ${what}`, false);
}

function num(config: ReadonlyMap<string, string>, key: string, fallback: number, min: number, integer: boolean): number {
  const raw = config.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw invalid(key, raw, `a ${integer ? 'whole ' : ''}number >= ${min}`);
  }
  return n;
}

function duration(config: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const raw = config.get(key);
  return raw === undefined ? fallback : parseDuration(raw, key);
}

/**
 * Reads `restart-strategy.type` and its options with Flink's keys and defaults: without a
 * type, a job with checkpointing restarts with exponential delay (it can recover its
 * state), and one without does not restart.
 */
export function parseRestartStrategy(config: ReadonlyMap<string, string>): RestartStrategyConfig {
  const type = config.get('restart-strategy.type') ?? config.get('restart-strategy') ?? (config.has('execution.checkpointing.interval') ? 'exponential-delay' : 'none');
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return { type: 'none' };
    case 'fixed-delay':
    case 'fixeddelay':
      return {
        type: 'fixed-delay',
        attempts: num(config, 'restart-strategy.fixed-delay.attempts', 1, 0, true),
        delayMs: duration(config, 'restart-strategy.fixed-delay.delay', 1000),
      };
    case 'exponential-delay': {
      const s = {
        type: 'exponential-delay' as const,
        initialBackoffMs: duration(config, 'restart-strategy.exponential-delay.initial-backoff', 1000),
        maxBackoffMs: duration(config, 'restart-strategy.exponential-delay.max-backoff', 60_000),
        multiplier: num(config, 'restart-strategy.exponential-delay.backoff-multiplier', 1.5, 1, false),
        resetBackoffThresholdMs: duration(config, 'restart-strategy.exponential-delay.reset-backoff-threshold', 3_600_000),
        jitterFactor: num(config, 'restart-strategy.exponential-delay.jitter-factor', 0.1, 0, false),
        attempts: num(config, 'restart-strategy.exponential-delay.attempts-before-reset-backoff', Infinity, 1, false),
      };
      if (s.jitterFactor > 1) throw invalid('restart-strategy.exponential-delay.jitter-factor', String(s.jitterFactor), 'between 0 and 1');
      if (s.maxBackoffMs < s.initialBackoffMs) {
        throw new WeirError('INVALID_CONFIGURATION', `restart-strategy.exponential-delay.max-backoff (${s.maxBackoffMs}ms) must not be below initial-backoff (${s.initialBackoffMs}ms)`, false);
      }
      return s;
    }
    case 'failure-rate':
    case 'failurerate':
      return {
        type: 'failure-rate',
        maxFailuresPerInterval: num(config, 'restart-strategy.failure-rate.max-failures-per-interval', 1, 1, true),
        intervalMs: duration(config, 'restart-strategy.failure-rate.failure-rate-interval', 60_000),
        delayMs: duration(config, 'restart-strategy.failure-rate.delay', 1000),
      };
    default:
      throw invalid('restart-strategy.type', type, 'one of none, fixed-delay, exponential-delay, failure-rate');
  }
}

/**
 * Decides what to do about a failure at `now`. `random` returns [0, 1) and only feeds the
 * exponential strategy's jitter (pass a fixed function in tests).
 */
export function decideRestart(strategy: RestartStrategyConfig, history: RestartHistory, now: number, random: () => number = Math.random): RestartDecision {
  const lastFailure = history.failureTimes.at(-1);
  switch (strategy.type) {
    case 'none':
      return { restart: false, reason: 'the restart strategy is none', history: { ...history, failureTimes: [...history.failureTimes, now] } };
    case 'fixed-delay': {
      const failureTimes = [...history.failureTimes, now];
      if (history.attempts >= strategy.attempts) {
        return { restart: false, reason: `fixed-delay restart strategy exhausted its ${strategy.attempts} attempt(s)`, history: { ...history, failureTimes } };
      }
      return { restart: true, delayMs: strategy.delayMs, history: { ...history, failureTimes, attempts: history.attempts + 1 } };
    }
    case 'failure-rate': {
      const failureTimes = [...history.failureTimes, now].filter((t) => t > now - strategy.intervalMs);
      if (failureTimes.length > strategy.maxFailuresPerInterval) {
        return {
          restart: false,
          reason: `failure-rate restart strategy: ${failureTimes.length} failures within ${strategy.intervalMs}ms exceed the maximum of ${strategy.maxFailuresPerInterval}`,
          history: { ...history, failureTimes },
        };
      }
      return { restart: true, delayMs: strategy.delayMs, history: { ...history, failureTimes, attempts: history.attempts + 1 } };
    }
    case 'exponential-delay': {
      // A job that ran longer than the threshold since its last failure starts over at the initial backoff.
      const reset = lastFailure === undefined || now - lastFailure >= strategy.resetBackoffThresholdMs;
      const attempts = reset ? 0 : history.attempts;
      if (attempts >= strategy.attempts) {
        return { restart: false, reason: `exponential-delay restart strategy exhausted its ${strategy.attempts} attempt(s) before a backoff reset`, history: { ...history, failureTimes: [now] } };
      }
      const backoff = reset || history.backoffMs === 0 ? strategy.initialBackoffMs : Math.min(history.backoffMs * strategy.multiplier, strategy.maxBackoffMs);
      const jitter = backoff * strategy.jitterFactor * (2 * random() - 1);
      const delayMs = Math.max(0, Math.round(Math.min(backoff + jitter, strategy.maxBackoffMs)));
      return { restart: true, delayMs, history: { failureTimes: [now], attempts: attempts + 1, backoffMs: backoff } };
    }
  }
}
