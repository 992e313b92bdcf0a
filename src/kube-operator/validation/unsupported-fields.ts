/**
 * Fields the CRD accepts whose behaviour is not built yet. A user who sets one must not
 * believe it works: the operator deploys the job as it would without the field, and reports
 * each one as the Degraded condition and a Warning Event that say what happens instead.
 * Every field accepted today is acted on (upgrade modes, snapshot nonces, initialSavepointPath
 * and allowNonRestoredState came with the stateful lifecycle); the check stays for fields to come.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';

export interface UnsupportedField {
  field: string;
  /** What the user gets instead of what the field asks for. */
  consequence: string;
}

export function unsupportedFields(_spec: StreamDeploymentSpec): UnsupportedField[] {
  return [];
}

/** One message for the condition and the Event: every unsupported field, in spec order. */
export function describeUnsupported(fields: readonly UnsupportedField[]): string {
  return fields.map((f) => `${f.field}: ${f.consequence}`).join('; ');
}
