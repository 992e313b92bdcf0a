/**
 * Merges the slots' outcomes of each attempt into the one report per attempt the
 * JobManager expects from a TaskManager: RUNNING once every slot runs its part; at the
 * end FAILED (with the first failure) if a slot failed, else CANCELED if one was
 * cancelled, else FINISHED, with every slot's collected values and record counts. The
 * first failure cancels the attempt's other slots, as a failed task does in Flink.
 */
import type { AttemptReport, DeploymentDescriptor } from '../cluster-protocol/messages.ts';
import { attemptKey } from './slot-protocol.ts';
import type { SlotResult } from './slot-protocol.ts';

/** Errors that follow from another slot's failure rather than cause one. */
const CONSEQUENCES = new Set(['CONNECTION_LOST', 'ENDPOINT_CLOSED']);

interface Attempt {
  readonly jobId: string;
  readonly attempt: number;
  /** Slots whose part has not ended. */
  readonly pending: Set<number>;
  readonly slots: readonly number[];
  running: number;
  readonly results: SlotResult[];
}

export interface AttemptResultsSink {
  report(r: AttemptReport): void;
  /** Cancel the attempt's parts on these slots. */
  cancel(key: string, slots: readonly number[]): void;
}

export class AttemptResults {
  private readonly attempts = new Map<string, Attempt>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly sink: AttemptResultsSink) {}

  begin(d: DeploymentDescriptor, slots: readonly number[]): void {
    this.attempts.set(attemptKey(d), { jobId: d.jobId, attempt: d.attempt, pending: new Set(slots), slots, running: 0, results: [] });
  }

  /** Cancels a known attempt's running parts; false if the attempt is unknown. */
  cancel(key: string): boolean {
    const a = this.attempts.get(key);
    if (!a) return false;
    this.sink.cancel(key, [...a.pending]);
    return true;
  }

  /** The slots that run a known attempt's parts that have not ended. */
  slotsOf(key: string): number[] {
    return [...(this.attempts.get(key)?.pending ?? [])];
  }

  /** Cancels every attempt this TaskManager runs; returns their keys. */
  cancelAll(): string[] {
    const keys = [...this.attempts.keys()];
    for (const key of keys) this.cancel(key);
    return keys;
  }

  /** Resolves once no attempt runs here. */
  idle(): Promise<void> {
    if (this.attempts.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  running(key: string): void {
    const a = this.attempts.get(key);
    if (a && ++a.running === a.slots.length) this.sink.report({ jobId: a.jobId, attempt: a.attempt, state: 'RUNNING' });
  }

  ended(key: string, slot: number, result: SlotResult): void {
    const a = this.attempts.get(key);
    if (!a || !a.pending.delete(slot)) return;
    a.results.push(result);
    if (result.state === 'FAILED' && a.results.filter((r) => r.state === 'FAILED').length === 1) this.sink.cancel(key, [...a.pending]);
    if (a.pending.size > 0) return;
    this.attempts.delete(key);
    if (this.attempts.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    const failures = a.results.filter((r) => r.state === 'FAILED');
    // A slot that lost its connection to a sibling usually reports before the sibling's own cause.
    const failure = failures.find((r) => !CONSEQUENCES.has(r.error?.code ?? '')) ?? failures[0];
    const state = failure ? 'FAILED' : a.results.some((r) => r.state === 'CANCELED') ? 'CANCELED' : 'FINISHED';
    const collected = new Map<string, unknown[]>();
    for (const r of a.results) for (const [name, values] of r.collected) collected.set(name, [...(collected.get(name) ?? []), ...values]);
    this.sink.report({ jobId: a.jobId, attempt: a.attempt, state, error: failure?.error, collected: [...collected], records: a.results.flatMap((r) => r.records) });
  }
}
