/**
 * The reconciler's output: an ordered list of actions, each one side effect, performed in
 * order by the interpreter (perform-actions.ts). Multi-step work (stop with a savepoint,
 * wait, redeploy) is a sequence of passes, each recording where it is in status before it
 * acts and ending in a requeue, so every step can be tested without servers.
 */
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { EventSpec } from './facts.ts';

export type ReconcileAction =
  /** Adds Weir's finalizer, so deletion waits for the job to be cancelled. */
  | { type: 'addFinalizer' }
  /** Writes the target being acted on through the status subresource, before any child changes. */
  | { type: 'recordTarget'; status: StreamDeploymentStatus }
  /** Creates a child that does not exist. */
  | { type: 'createChild'; object: KubeObject }
  /** Replaces a child whose desired state changed; `object` carries the observed resourceVersion. */
  | { type: 'replaceChild'; object: KubeObject }
  /** Cancels the job through the JobManager. Best effort: a failure is logged and the plan goes on. */
  | { type: 'cancelJob'; jobId: string; bestEffort: boolean }
  /** Deletes a child now, waiting for its dependents (Foreground): the JobManager must be gone before its HA data. */
  | { type: 'deleteChild'; object: KubeObject }
  /** Deletes the JobManager HA ConfigMaps of `clusterId` (they have no owner, so nothing else would). */
  | { type: 'deleteHaConfigMaps'; clusterId: string }
  /** Triggers a savepoint (`then: 'stop'`: stop-with-savepoint) under a trigger id already written to status. */
  | { type: 'triggerSavepoint'; jobId: string; triggerId: string; then: 'continue' | 'stop' }
  /** Triggers a checkpoint under a trigger id already written to status. */
  | { type: 'triggerCheckpoint'; jobId: string; triggerId: string }
  /** Deletes the job's HA ConfigMaps (checkpoint pointers), so a new JobManager starts without its state. */
  | { type: 'deleteHaMetadata'; configMaps: string[] }
  /** Deletes a savepoint's files, once it left the history. Best effort: a failure is logged. */
  | { type: 'disposeSavepoint'; location: string }
  /** Records an Event. Best effort: a failure is logged and the plan goes on. */
  | { type: 'recordEvent'; event: EventSpec }
  /** Writes the status this pass arrived at (only present when it differs from the stored one). */
  | { type: 'writeStatus'; status: StreamDeploymentStatus }
  /** Removes Weir's finalizer: the API server then deletes the StreamDeployment and its children. */
  | { type: 'removeFinalizer' }
  /** Asks to see this StreamDeployment again after `ms` even if nothing changes. */
  | { type: 'requeueAfter'; ms: number };

export type ReconcilePlan = readonly ReconcileAction[];

export type ActionType = ReconcileAction['type'];

/** The actions of one type, narrowed: for tests and the interpreter's bookkeeping. */
export function actionsOf<T extends ActionType>(plan: ReconcilePlan, type: T): Extract<ReconcileAction, { type: T }>[] {
  return plan.filter((a): a is Extract<ReconcileAction, { type: T }> => a.type === type);
}
