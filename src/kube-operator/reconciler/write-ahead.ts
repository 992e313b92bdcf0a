/**
 * A small builder for the steps of a plan that must be durable before they act: every status
 * write goes in as a `recordTarget` before the side effect that follows it, so an operator
 * killed between two steps finds in status where it was.
 */
import { createHash } from 'node:crypto';
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { ReconcileAction } from './actions.ts';
import type { EventSpec } from './facts.ts';

export class WriteAhead {
  readonly steps: ReconcileAction[] = [];
  readonly events: EventSpec[] = [];

  constructor(public status: StreamDeploymentStatus) {}

  /** Records `next` in status (a step of the log) before whatever is added after it. */
  write(next: StreamDeploymentStatus): this {
    this.status = next;
    this.steps.push({ type: 'recordTarget', status: next });
    return this;
  }

  act(action: ReconcileAction): this {
    this.steps.push(action);
    return this;
  }

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
