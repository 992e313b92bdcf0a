/**
 * Fields the CRD accepts whose behaviour is not built yet (stateful upgrades and snapshots
 * come with checkpoints). A user who sets one must not believe it works: the operator
 * deploys the job as it would without the field, and reports each one as the Degraded
 * condition and a Warning Event that say what happens instead.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';

export interface UnsupportedField {
  field: string;
  /** What the user gets instead of what the field asks for. */
  consequence: string;
}

export function unsupportedFields(spec: StreamDeploymentSpec): UnsupportedField[] {
  const out: UnsupportedField[] = [];
  const { job } = spec;
  if (job.upgradeMode === 'savepoint' || job.upgradeMode === 'last-state') {
    out.push({ field: 'spec.job.upgradeMode', consequence: `upgradeMode ${job.upgradeMode} is not supported yet: this deployment will lose state on upgrade (it is upgraded as stateless)` });
  }
  if (job.savepointTriggerNonce !== undefined) {
    out.push({ field: 'spec.job.savepointTriggerNonce', consequence: 'savepointTriggerNonce is not supported yet: changing it takes no savepoint' });
  }
  if (job.checkpointTriggerNonce !== undefined) {
    out.push({ field: 'spec.job.checkpointTriggerNonce', consequence: 'checkpointTriggerNonce is not supported yet: changing it takes no checkpoint' });
  }
  if (job.initialSavepointPath !== undefined) {
    out.push({ field: 'spec.job.initialSavepointPath', consequence: `initialSavepointPath is not supported yet: the job starts without the state of ${job.initialSavepointPath}` });
  }
  if (job.allowNonRestoredState !== undefined) {
    out.push({ field: 'spec.job.allowNonRestoredState', consequence: 'allowNonRestoredState is not supported yet: jobs do not restore state, so it has no effect' });
  }
  if (spec.autoscaler?.enabled && !spec.autoscaler.metricsOnly) {
    out.push({ field: 'spec.autoscaler.enabled', consequence: 'rescaling by the autoscaler is not supported yet: it decides and reports as with metricsOnly, and every vertex stays at spec.job.parallelism' });
  }
  return out;
}

/** One message for the condition and the Event: every unsupported field, in spec order. */
export function describeUnsupported(fields: readonly UnsupportedField[]): string {
  return fields.map((f) => `${f.field}: ${f.consequence}`).join('; ');
}
