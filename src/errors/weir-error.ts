/**
 * The error root of the runtime and the operator. `code` is stable (tests, REST and the
 * operator match on it); `retriable` says whether trying the same thing again can help, and
 * drives behaviour: a job fails for good on a non-retriable error instead of restarting (as
 * Flink's SuppressRestartsException), and the operator's work queue does not retry one.
 *
 * Non-retriable: every attempt would fail the same way whatever the data, because the job's
 * code, plan or configuration is wrong (its main throws, plans differ between processes, a
 * state used as another kind, an invalid setting). Retriable: failures that depend on the
 * records or the environment (a user function throwing, a bad key or timestamp computed from
 * a record, a lost connection); the restart strategy bounds them, as in Flink.
 */
import type { ErrorCode } from './error-codes.ts';

export class WeirError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WeirError';
  }
}

/** A code that came over the wire (a TaskManager's report, a REST answer), checked. */
export function errorCodeOf(value: string | undefined, fallback: ErrorCode): ErrorCode {
  return value !== undefined && /^[A-Z][A-Z0-9_]*$/.test(value) ? (value as ErrorCode) : fallback;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
