/**
 * The one error type the runtime throws. `code` is stable (tests, REST and the operator
 * match on it); `retriable` says whether trying the same thing again can help.
 */
export class WeirError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WeirError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
