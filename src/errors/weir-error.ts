/**
 * The error root of the runtime and the operator. `code` is stable (tests, REST and the
 * operator match on it); `retriable` says whether trying the same thing again can help, and
 * drives behaviour: a job fails for good on a non-retriable error instead of restarting (as
 * Flink's SuppressRestartsException), and the operator's work queue does not retry one.
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
