/**
 * Fields the CRD accepts whose behaviour is not built yet. A user who sets one must not
 * believe it works: the operator deploys the job as it would without the field, and reports
 * each one as the Degraded condition and a Warning Event that say what happens instead.
 * Upgrade modes, snapshot nonces, initialSavepointPath and allowNonRestoredState came with the
 * stateful lifecycle; the autoscaler rescales only in a stateful upgrade mode, and within the
 * slots of a fixed number of TaskManagers.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';

export interface UnsupportedField {
  field: string;
  /** What the user gets instead of what the field asks for. */
  consequence: string;
}

export function unsupportedFields(spec: StreamDeploymentSpec): UnsupportedField[] {
  const out: UnsupportedField[] = [];
  if (spec.autoscaler?.enabled && !spec.autoscaler.metricsOnly && (spec.job.upgradeMode ?? 'stateless') === 'stateless') {
    out.push({ field: 'spec.autoscaler.enabled', consequence: 'the autoscaler rescales through upgradeMode savepoint or last-state, and a stateless rescale would drop the job\'s state: it decides and reports as with metricsOnly and rescales nothing' });
  }
  if (spec.autoscaler?.enabled && spec.taskManager?.replicas !== undefined) {
    out.push({ field: 'spec.taskManager.replicas', consequence: 'the TaskManagers stay at this count, as Flink\'s operator keeps an explicit replicas count: the autoscaler scales no vertex beyond their slots; leave replicas unset to have the TaskManagers follow the applied parallelism' });
  }
  return out;
}

/** One message for the condition and the Event: every unsupported field, in spec order. */
export function describeUnsupported(fields: readonly UnsupportedField[]): string {
  return fields.map((f) => `${f.field}: ${f.consequence}`).join('; ');
}
