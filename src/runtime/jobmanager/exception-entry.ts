/** One entry of a job's exception history (Flink's `/jobs/:id/exceptions`), made from a WeirError. */
import type { ErrorCode } from '../../errors/index.ts';
import { WeirError } from '../../errors/index.ts';

export interface ExceptionEntry {
  exceptionName: string;
  message: string;
  stacktrace: string;
  timestamp: number;
  /** Stable error code (WeirError.code). */
  code: ErrorCode;
  /** The operator the error names, when it names one. */
  taskName: string | undefined;
}

/** The entry for `error` at `timestamp`; an attempt that failed without an error is told as such. */
export function exceptionEntry(error: WeirError | undefined, timestamp: number): ExceptionEntry {
  const e = error ?? new WeirError('INTERNAL', 'the job failed without an error', false);
  return {
    exceptionName: e.name,
    message: e.message,
    stacktrace: e.stack ?? `${e.name}: ${e.message}`,
    timestamp,
    code: e.code,
    taskName: (e as { operatorName?: string }).operatorName,
  };
}
