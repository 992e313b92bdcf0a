/**
 * A small builder for the steps of a plan that must be durable before they act: every status
 * write goes in as a `recordTarget` before the side effect that follows it, so an operator
 * killed between two steps finds in status where it was. An event goes right after the write
 * that makes its fact durable: a pass that fails later (a conflict, an unreachable JobManager)
 * has announced it, and the next pass, which reads the fact from status, does not again.
 */
import { createHash } from 'node:crypto';
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { ReconcileAction } from './actions.ts';
import type { EventSpec } from './facts.ts';

export class WriteAhead {
  /** Status writes, side effects and the events they make true, in the order they run. */
  readonly steps: ReconcileAction[] = [];
  /** Events of facts only the pass's final status records (`status` set without `write`): they follow its writeStatus. */
  readonly events: EventSpec[] = [];

  constructor(public status: StreamDeploymentStatus) {}

  /** Records `next` in status (a step of the log) before whatever is added after it, then the events of what it records. */
  write(next: StreamDeploymentStatus, ...announced: EventSpec[]): this {
    this.status = next;
    this.steps.push({ type: 'recordTarget', status: next });
    for (const event of announced) this.steps.push({ type: 'recordEvent', event });
    return this;
  }

  /** Performs `action`, then the events that tell it was done (status does not record that it was). */
  act(action: ReconcileAction, ...outcome: EventSpec[]): this {
    this.steps.push(action);
    for (const event of outcome) this.steps.push({ type: 'recordEvent', event });
    return this;
  }

  /** An event of a fact the pass's final status records: recorded once that status is written. */
  event(e: EventSpec): this {
    this.events.push(e);
    return this;
  }
}

/**
 * A trigger id from what the trigger is for (32 hex digits, as Flink's): the same facts give
 * the same id, so a trigger resent after a restart is recognised by the JobManager.
 */
export function triggerIdFor(...parts: readonly (string | number | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 32);
}

export const reconciliationOf = (s: StreamDeploymentStatus) => s.reconciliation ?? {};
